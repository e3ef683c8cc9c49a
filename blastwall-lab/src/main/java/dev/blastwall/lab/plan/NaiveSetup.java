package dev.blastwall.lab.plan;

import dev.blastwall.lab.internal.Args;
import dev.blastwall.lab.topology.Durations;
import java.time.Duration;
import java.util.Set;

/**
 * What teams write without thinking, as the {@code naive} mode runs it: every call has the same long timeout and no
 * deadline travels with it; every layer retries {@code retries} times at once (no backoff, no jitter, no budget) on
 * the statuses in {@code retryOn}; every service has an unbounded queue in front of its workers and sheds nothing;
 * no breaker, no bulkhead, no hedging.
 *
 * @param timeout each attempt's timeout, at every hop
 * @param retries retries after the first attempt, at every hop
 * @param retryOn gRPC status names retried
 * @param userTimeout how long the user waits for the entry service
 */
public record NaiveSetup(Duration timeout, int retries, Set<String> retryOn, Duration userTimeout) {

  /** Checks values. */
  public NaiveSetup {
    Args.positive("timeout", timeout);
    Args.atLeast("retries", retries, 0);
    retryOn = Set.copyOf(retryOn);
    Args.positive("userTimeout", userTimeout);
  }

  /** 10 s timeouts, 3 immediate retries on UNAVAILABLE at every layer, users wait 30 s. */
  public static NaiveSetup defaults() {
    return new NaiveSetup(Duration.ofSeconds(10), 3, Set.of("UNAVAILABLE"), Duration.ofSeconds(30));
  }

  /** A copy with another per-attempt timeout. */
  public NaiveSetup withTimeout(Duration newTimeout) {
    return new NaiveSetup(newTimeout, retries, retryOn, userTimeout);
  }

  /** One line per setting, for reports. */
  public String describe() {
    return "timeout " + Durations.text(timeout) + " per attempt at every hop, no deadline propagation; "
        + retries + " immediate retries on " + retryOn.stream().sorted().toList()
        + " at every layer, no budget, no jitter; unbounded queues, no shedding, no breaker, no bulkhead, no hedging; "
        + "users wait " + Durations.text(userTimeout);
  }
}
