package dev.blastwall.config;

import dev.blastwall.context.Criticality;
import dev.blastwall.overload.AdmissionController;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A server's admission: at most {@code capacity} requests at once, with a share of it held for the more critical
 * classes, and the floor of the retry-after hint it sends with a rejection.
 *
 * @param reserve the fraction of the capacity (0..1, exclusive) held for each class above the lowest
 */
public record AdmissionConfig(int capacity, Map<Criticality, Double> reserve, Duration minRetryAfter) {

  public AdmissionConfig {
    reserve = reserve.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(reserve));
  }

  /** The controller this describes, named {@code name}, timing its permits on {@code ticker}. */
  public AdmissionController toController(String name, Ticker ticker) {
    AdmissionController.Builder admission = AdmissionController.builder(name, capacity).ticker(ticker)
        .minRetryAfter(minRetryAfter);
    reserve.forEach(admission::reserve);
    return admission.build();
  }
}
