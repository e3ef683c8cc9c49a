package dev.blastwall.lab.load;

import dev.blastwall.context.Criticality;
import java.time.Duration;

/**
 * What the load generator asks the user function to send.
 *
 * @param sequence the arrival's index in the schedule, from 0; missed arrivals use up their number too
 * @param intendedNanosFromStart when the schedule meant this request to start, in nanoseconds from the run start
 * @param intendedTickerNanos the same instant as a reading of the generator's ticker, to derive deadlines from
 * @param criticality drawn from the configured mix
 * @param slo the user's latency objective: a success slower than this does not count towards goodput; a natural
 *     deadline for the call, counted from the intended start
 */
public record RequestSpec(
    long sequence, long intendedNanosFromStart, long intendedTickerNanos, Criticality criticality, Duration slo) {

  /** The ticker reading at which the SLO runs out for this request: intended start plus SLO. */
  public long sloDeadlineTickerNanos() {
    return intendedTickerNanos + slo.toNanos();
  }
}
