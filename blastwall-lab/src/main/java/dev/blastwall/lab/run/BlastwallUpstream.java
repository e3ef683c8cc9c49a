package dev.blastwall.lab.run;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.bulkhead.SemaphoreBulkhead;
import dev.blastwall.grpc.BlastwallChannels;
import dev.blastwall.grpc.GrpcClientPolicy;
import dev.blastwall.hedge.HedgePolicy;
import dev.blastwall.lab.plan.BlastwallSetup;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The library's recommended client for one upstream: one {@link Pipeline} per (caller, upstream) built from the
 * {@link BlastwallSetup}, installed on the channel with {@link GrpcClientPolicy}. The deadline and criticality of
 * the request being worked on travel with every call, from the {@code CallContext} current on the worker.
 */
final class BlastwallUpstream implements Upstream {

  /** Breakers judge at least this many recent calls, so a burst of early failures alone does not trip them. */
  private static final int MIN_BREAKER_WINDOW = 100;
  /** Hedges wait at least this long, also while the upstream's p95 is still being learned. */
  private static final Duration MIN_HEDGE_DELAY = Duration.ofMillis(2);
  /** Each further trip while probes keep failing doubles the open time, up to the setup's maximum. */
  private static final double OPEN_GROWTH = 2;

  private final ManagedChannel channel;

  private BlastwallUpstream(ManagedChannel channel) {
    this.channel = channel;
  }

  /** The client of {@code caller} for {@code upstream}, whose replicas listen at {@code addresses}. */
  static BlastwallUpstream create(String caller, String upstream, List<InetSocketAddress> addresses,
      BlastwallSetup setup, ClientCounters counters, EdgeEvents events, RunClock clock, Executor executor) {
    GrpcClientPolicy policy = GrpcClientPolicy.builder(pipeline(caller, upstream, setup, counters, events, clock))
        // CallOnce is not idempotent, but every lab service keeps an idempotency store: declared keyed, each call
        // gets one key, sent with every attempt, and is retried even after it may have run (the store answers).
        .keyed(LabWire.CALL_ONCE)
        .build();
    ManagedChannel channel = BlastwallChannels.configure(
        Channels.ejecting(addresses, setup.ejectionTime(), executor), policy).build();
    return new BlastwallUpstream(channel);
  }

  /** The pipeline of {@code caller}'s calls to {@code upstream}, the same whatever the wire. */
  static Pipeline pipeline(String caller, String upstream, BlastwallSetup setup, ClientCounters counters,
      EdgeEvents events, RunClock clock) {
    String name = caller + "->" + upstream;
    CircuitBreaker breaker = CircuitBreaker.builder(name)
        .failureRateThreshold(setup.breakerFailureRate() * 100)
        .minimumCalls(setup.breakerMinimumCalls())
        .countWindow(Math.max(MIN_BREAKER_WINDOW, setup.breakerMinimumCalls()))
        .openDuration(setup.breakerOpenFor())
        .openDurationBackoff(OPEN_GROWTH, setup.breakerMaxOpenFor())
        .ticker(clock.ticker)
        .listener(events)
        .build();
    counters.add(breaker);
    Pipeline.Builder pipeline = Pipeline.builder(upstream)
        .environment(clock.environment)
        .circuitBreaker(breaker)
        .retryBudget(RetryBudget.ratio()
            .percentCanRetry(setup.retryBudgetRatio())
            .minRetriesPerSecond(setup.retryBudgetMinPerSecond())
            .ticker(clock.ticker)
            .build())
        .listener(events);
    if (setup.hedged().contains(upstream)) {
      // A hedge already repeats a slow call; the hedge budget caps the extra load.
      pipeline.hedge(HedgePolicy.builder().minDelay(MIN_HEDGE_DELAY).ticker(clock.ticker).build())
          .hedgeBudget(RetryBudget.ratio()
              .percentCanRetry(setup.hedgeBudgetRatio())
              .minRetriesPerSecond(0)
              .ticker(clock.ticker)
              .build());
    } else {
      pipeline.retry(RetryPolicy.builder()
          .maxAttempts(setup.maxAttempts())
          .backoff(Backoff.exponentialFullJitter(setup.backoffBase(), setup.backoffMax()))
          .build());
    }
    Duration attemptTimeout = setup.attemptTimeouts().get(upstream);
    if (attemptTimeout != null) {
      // The pipeline's slot: one timeout for every call to the upstream. A timed-out attempt is a retryable TIMEOUT
      // either way (the policy's per-method one would also tell the server the attempt's deadline).
      pipeline.attemptTimeout(attemptTimeout);
    }
    Duration callTimeout = setup.callTimeouts().get(upstream);
    if (callTimeout != null) {
      // The whole call, retries included; the deadline still bounds it when it is shorter.
      pipeline.timeout(callTimeout);
    }
    Integer bulkhead = setup.bulkheads().get(upstream);
    if (bulkhead != null) {
      pipeline.bulkhead(SemaphoreBulkhead.builder(name).maxConcurrentCalls(bulkhead).build());
    }
    return pipeline.build();
  }

  @Override
  public CompletableFuture<byte[]> call(long id, boolean idempotent) {
    return UnaryCalls.call(channel, LabWire.method(idempotent), CallOptions.DEFAULT, LabWire.request(id));
  }

  @Override
  public void close() {
    Channels.close(channel);
  }
}
