package dev.blastwall.lab.run;

/** Hears about a run once per second, from the sampler's thread; must return quickly. */
public interface RunProgress {

  /** Ignores progress. */
  RunProgress NONE = (second, totalSeconds, entryPoint, userInflight) -> {};

  /**
   * One second of the measured run has passed.
   *
   * @param second the second just sampled, from 0
   * @param totalSeconds the measured run's length in seconds
   * @param entryPoint the entry service's point for that second
   * @param userInflight user requests in flight at the sample
   */
  void onSecond(int second, int totalSeconds, ServicePoint entryPoint, int userInflight);
}
