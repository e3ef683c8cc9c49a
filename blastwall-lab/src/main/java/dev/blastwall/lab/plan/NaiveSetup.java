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
 * @param outboundPool the threads of one pool shared by every outbound call of a service (all its replicas and
 *     upstreams; a call holds a thread until its last attempt ends and waits for a free one first), or
 *     {@link #UNBOUNDED_POOL} for no limit
 */
public record NaiveSetup(Duration timeout, int retries, Set<String> retryOn, Duration userTimeout, int outboundPool) {

  /** The {@code outboundPool} of services whose outbound calls never wait for a thread. */
  public static final int UNBOUNDED_POOL = 0;

  /** Checks values. */
  public NaiveSetup {
    Args.positive("timeout", timeout);
    Args.atLeast("retries", retries, 0);
    retryOn = Set.copyOf(retryOn);
    Args.positive("userTimeout", userTimeout);
    Args.atLeast("outboundPool", outboundPool, UNBOUNDED_POOL);
  }

  /** A setup whose outbound calls never wait for a thread. */
  public NaiveSetup(Duration timeout, int retries, Set<String> retryOn, Duration userTimeout) {
    this(timeout, retries, retryOn, userTimeout, UNBOUNDED_POOL);
  }

  /** 10 s timeouts, 3 immediate retries on UNAVAILABLE at every layer, users wait 30 s. */
  public static NaiveSetup defaults() {
    return new NaiveSetup(Duration.ofSeconds(10), 3, Set.of("UNAVAILABLE"), Duration.ofSeconds(30));
  }

  /** A copy with another per-attempt timeout. */
  public NaiveSetup withTimeout(Duration newTimeout) {
    return new NaiveSetup(newTimeout, retries, retryOn, userTimeout, outboundPool);
  }

  /** A copy where every service's outbound calls share one pool of {@code threads} threads (0: unbounded). */
  public NaiveSetup withOutboundPool(int threads) {
    return new NaiveSetup(timeout, retries, retryOn, userTimeout, threads);
  }

  /** Whether outbound calls share a bounded pool. */
  public boolean boundedPool() {
    return outboundPool != UNBOUNDED_POOL;
  }

  /** One line per setting, for reports. */
  public String describe() {
    return "timeout " + Durations.text(timeout) + " per attempt at every hop, no deadline propagation; "
        + retries + " immediate retries on " + retryOn.stream().sorted().toList()
        + " at every layer, no budget, no jitter; unbounded queues, no shedding, no breaker, no bulkhead, no hedging; "
        + (boundedPool() ? "one shared pool of " + outboundPool + " threads for every outbound call of a service; " : "")
        + "users wait " + Durations.text(userTimeout);
  }
}
