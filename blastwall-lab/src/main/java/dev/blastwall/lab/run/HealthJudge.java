package dev.blastwall.lab.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decides whether the lab kept up: a run is invalid when the generator missed more than 1% of its sends, the
 * sampler woke more than 250 ms late, or the machine's CPU stayed at 97% or more for 3 samples in a row; then the
 * lab, not the system under test, may have been the bottleneck.
 */
final class HealthJudge {

  static final double MAX_MISSED_SHARE = 0.01;
  static final double MAX_LAG_MILLIS = 250;
  static final double SATURATED_CPU = 0.97;
  static final int SATURATED_SAMPLES = 3;

  private HealthJudge() {}

  static LabHealth judge(long missed, long offered, List<Double> cpu, double maxLagMillis, List<String> problems) {
    List<String> reasons = new ArrayList<>(problems);
    if (offered > 0 && missed > MAX_MISSED_SHARE * offered) {
      reasons.add(String.format(Locale.ROOT, "the generator missed %d of %d sends (%.1f%%, limit 1%%)",
          missed, offered, 100.0 * missed / offered));
    }
    if (maxLagMillis > MAX_LAG_MILLIS) {
      reasons.add(String.format(Locale.ROOT, "the sampler woke %.0f ms late (limit 250 ms)", maxLagMillis));
    }
    double maxCpu = -1;
    int run = 0;
    int longestRun = 0;
    for (double load : cpu) {
      maxCpu = Math.max(maxCpu, load);
      run = load >= SATURATED_CPU ? run + 1 : 0;
      longestRun = Math.max(longestRun, run);
    }
    if (longestRun >= SATURATED_SAMPLES) {
      reasons.add(String.format(Locale.ROOT, "CPU at %.0f%% or more for %d samples in a row (max %.0f%%)",
          SATURATED_CPU * 100, longestRun, maxCpu * 100));
    }
    return new LabHealth(missed, offered, maxCpu < 0 ? -1 : maxCpu, Math.max(0, maxLagMillis), reasons.isEmpty(),
        reasons);
  }
}
