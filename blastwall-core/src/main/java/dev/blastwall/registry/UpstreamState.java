package dev.blastwall.registry;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.bulkhead.SemaphoreBulkhead;
import dev.blastwall.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * One upstream's policies at one moment, for dashboards and audits: what its breaker and bulkhead have seen, what
 * its budgets allow, and how its pipeline is set up. Each number is read separately, so under load they may be a
 * moment apart. Immutable.
 *
 * @param upstream the upstream's name
 * @param breaker its circuit breaker's snapshot, or {@code null} when its pipeline has no breaker
 * @param bulkhead its bulkhead's snapshot, or {@code null} when its pipeline has no bulkhead
 * @param retryBudgetBalance what its retry budget allows right now ({@link dev.blastwall.retry.RetryBudget#balance()};
 *     for a ratio budget, the retries left)
 * @param hedgeBudgetBalance what its hedge budget allows right now; spent only by a pipeline that hedges
 * @param settings how its pipeline is set up, as one line of text: timeout, retry or hedge policy, attempt
 *     timeout, default idempotency, budgets and the breaker, rate limiter and bulkhead slots; described when the
 *     upstream was registered (live numbers are in the other components)
 */
public record UpstreamState(String upstream, CircuitBreaker.@Nullable Snapshot breaker,
    SemaphoreBulkhead.@Nullable Snapshot bulkhead, double retryBudgetBalance, double hedgeBudgetBalance,
    String settings) {

  /** Checks the name; the numbers are whatever the policies reported. */
  public UpstreamState(String upstream, CircuitBreaker.@Nullable Snapshot breaker,
      SemaphoreBulkhead.@Nullable Snapshot bulkhead, double retryBudgetBalance, double hedgeBudgetBalance,
      String settings) {
    if (upstream.isBlank()) {
      throw Checks.invalidArgument("upstream", '"' + upstream + '"', "a non-blank name");
    }
    this.upstream = upstream;
    this.breaker = breaker;
    this.bulkhead = bulkhead;
    this.retryBudgetBalance = retryBudgetBalance;
    this.hedgeBudgetBalance = hedgeBudgetBalance;
    this.settings = settings;
  }
}
