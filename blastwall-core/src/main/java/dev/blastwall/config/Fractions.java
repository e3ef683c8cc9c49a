package dev.blastwall.config;

import java.math.BigDecimal;

/**
 * The configuration writes every share, rate and percentile as a fraction of 1; some policies' builders take
 * percent. Converted through decimals, so {@code 0.95} becomes exactly {@code 95}, not {@code 95.00000000000001}.
 */
final class Fractions {

  private Fractions() {}

  static double toPercent(double fraction) {
    return BigDecimal.valueOf(fraction).movePointRight(2).doubleValue();
  }

  static double fromPercent(double percent) {
    return BigDecimal.valueOf(percent).movePointLeft(2).doubleValue();
  }
}
