package dev.blastwall.pipeline;

import dev.blastwall.retry.RetryBudget;
import java.util.concurrent.atomic.AtomicInteger;

/** A retry budget test double: counts every call it gets, and allows retries or refuses them all. */
final class CountingBudget implements RetryBudget {

  final AtomicInteger requests = new AtomicInteger();
  final AtomicInteger successes = new AtomicInteger();
  final AtomicInteger failures = new AtomicInteger();
  final AtomicInteger retryRequests = new AtomicInteger();
  private final boolean allowRetries;

  private CountingBudget(boolean allowRetries) {
    this.allowRetries = allowRetries;
  }

  static CountingBudget allowing() {
    return new CountingBudget(true);
  }

  static CountingBudget refusing() {
    return new CountingBudget(false);
  }

  @Override
  public void onRequest() {
    requests.incrementAndGet();
  }

  @Override
  public void onAttemptSucceeded() {
    successes.incrementAndGet();
  }

  @Override
  public void onAttemptFailed() {
    failures.incrementAndGet();
  }

  @Override
  public boolean tryAcquireRetry() {
    retryRequests.incrementAndGet();
    return allowRetries;
  }

  @Override
  public double balance() {
    return allowRetries ? 1 : 0;
  }
}
