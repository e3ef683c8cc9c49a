package dev.blastwall.lab.plan;

import dev.blastwall.context.Criticality;
import dev.blastwall.lab.internal.Args;
import dev.blastwall.lab.load.RateProfile;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The user load of a run: open-loop arrivals following {@code profile} (Poisson or evenly spaced) for
 * {@code duration}, each with a criticality drawn from {@code mix}, judged against the user SLO.
 *
 * @param profile arrival rate over time
 * @param poisson Poisson arrivals when true, evenly spaced (constant) when false
 * @param duration how long the measured run sends
 * @param slo the user's latency objective: successes slower than it are not goodput
 * @param mix relative weights of criticalities, all positive
 */
public record LoadSpec(
    RateProfile profile, boolean poisson, Duration duration, Duration slo, Map<Criticality, Integer> mix) {

  /** Checks durations and copies the mix. */
  public LoadSpec {
    Args.positive("duration", duration);
    Args.positive("slo", slo);
    if (mix.isEmpty()) {
      throw Args.invalid("mix", mix, "at least one criticality with a positive weight");
    }
    for (Map.Entry<Criticality, Integer> entry : mix.entrySet()) {
      Args.atLeast("mix." + entry.getKey(), entry.getValue(), 1);
    }
    mix = Collections.unmodifiableMap(new EnumMap<>(mix));
  }

  /** Constant-rate Poisson arrivals, all CRITICAL. */
  public static LoadSpec constant(double ratePerSecond, Duration duration, Duration slo) {
    return new LoadSpec(
        RateProfile.constant(ratePerSecond), true, duration, slo, Map.of(Criticality.CRITICAL, 1));
  }

  /** This load with another criticality mix. */
  public LoadSpec withMix(Map<Criticality, Integer> newMix) {
    return new LoadSpec(profile, poisson, duration, slo, newMix);
  }
}
