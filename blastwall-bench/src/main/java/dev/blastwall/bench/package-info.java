/**
 * JMH benchmarks of Blastwall's policies and pipeline, side by side with Resilience4j and Failsafe configured the
 * same way, plus the runner behind {@code ./blastwall bench} and the table it writes.
 *
 * <p>Naming: one class per scenario ({@code ChainBench}: retry, breaker, rate limiter and bulkhead together); its
 * methods are named after the library ({@code blastwall}, {@code resilience4j}, {@code failsafe}, or
 * {@code direct} for the bare call), with an {@code Async} suffix for the asynchronous execution. Every policy is
 * configured so it never rejects (huge limits, a breaker that never trips), so the numbers are pure overhead,
 * except in the two failure scenarios ({@code BreakerOpenBench}, {@code RetriesExhaustedBench}).
 */
@NullMarked
package dev.blastwall.bench;

import org.jspecify.annotations.NullMarked;
