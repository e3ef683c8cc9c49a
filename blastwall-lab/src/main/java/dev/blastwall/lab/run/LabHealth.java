package dev.blastwall.lab.run;

import java.util.List;

/**
 * Whether the lab itself kept up during a run. A run is invalid when the lab, not the system under test, was the
 * bottleneck: the generator sent late or missed sends, or the machine's CPU was saturated.
 *
 * @param missedSends arrivals the generator could not send on time
 * @param offered arrivals in the schedule
 * @param maxCpu the highest whole-machine CPU load sampled, in [0, 1], or -1 when unavailable
 * @param maxSamplerLagMs how late the per-second sampler woke at worst: a proxy for scheduler starvation
 * @param valid whether the run's figures can be trusted
 * @param reasons why not, when invalid (empty when valid)
 */
public record LabHealth(
    long missedSends, long offered, double maxCpu, double maxSamplerLagMs, boolean valid, List<String> reasons) {

  /** Copies the reasons. */
  public LabHealth {
    reasons = List.copyOf(reasons);
  }
}
