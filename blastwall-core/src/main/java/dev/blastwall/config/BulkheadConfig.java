package dev.blastwall.config;

import dev.blastwall.bulkhead.SemaphoreBulkhead;
import java.time.Duration;

/** A bulkhead: attempts in flight at once, and how many may wait for a slot, for how long. */
public record BulkheadConfig(int maxConcurrent, int maxWaiting, Duration maxWait) {

  /** 25 at once, none waiting. */
  public static final BulkheadConfig DEFAULT =
      new BulkheadConfig(SemaphoreBulkhead.DEFAULT_MAX_CONCURRENT_CALLS, 0, Duration.ZERO);

  /** The bulkhead this describes, named {@code name}. */
  public SemaphoreBulkhead toBulkhead(String name) {
    return SemaphoreBulkhead.builder(name).maxConcurrentCalls(maxConcurrent).maxWaiting(maxWaiting).maxWait(maxWait)
        .build();
  }
}
