package dev.blastwall.bench;

import dev.blastwall.pipeline.Pipeline;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.function.CheckedSupplier;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.retry.Retry;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The full chain on the success path, outermost first: retry (Blastwall: with budget), circuit breaker, rate
 * limiter, bulkhead. Resilience4j is decorated by hand in that order (what its Decorators builds); Failsafe takes
 * the policies outermost first. Async: Failsafe's {@code getStageAsync} always runs the supplier on its pool
 * (the common ForkJoinPool), so its async numbers include a thread hand-off; Blastwall and Resilience4j call the
 * supplier on the caller's thread.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ChainBench {

  private static final CheckedSupplier<String> FS_TASK = () -> Payload.VALUE;
  private static final CheckedSupplier<CompletionStage<String>> FS_ASYNC_TASK = () -> Payload.DONE;

  final ScheduledExecutorService r4jScheduler = Policies.r4jScheduler();
  final Pipeline pipeline = Policies.chain().build();

  final Callable<String> r4j;
  final Supplier<CompletionStage<String>> r4jAsync;
  final FailsafeExecutor<Object> failsafe = Failsafe.with(
      Policies.fsRetry(), Policies.fsBreaker(), Policies.fsLimiter(), Policies.fsBulkhead());
  final FailsafeExecutor<Object> failsafeAsync = Failsafe.with(
      Policies.fsRetry(), Policies.fsBreaker(), Policies.fsLimiter(), Policies.fsBulkhead());

  public ChainBench() {
    Retry retry = Policies.r4jRetry();
    CircuitBreaker breaker = Policies.r4jBreaker();
    RateLimiter limiter = Policies.r4jLimiter();
    Bulkhead bulkhead = Policies.r4jBulkhead();
    r4j = Retry.decorateCallable(retry, CircuitBreaker.decorateCallable(breaker,
        RateLimiter.decorateCallable(limiter, Bulkhead.decorateCallable(bulkhead, Payload.TASK))));
    r4jAsync = Retry.decorateCompletionStage(retry, r4jScheduler, CircuitBreaker.decorateCompletionStage(breaker,
        RateLimiter.decorateCompletionStage(limiter, Bulkhead.decorateCompletionStage(bulkhead,
            Payload.ASYNC_TASK))));
  }

  /** Every benchmark of this class returns the payload's value (checked once per fork, before measuring). */
  @Setup(Level.Trial)
  public void checkResults() {
    Check.returnsValue(this::blastwall, this::resilience4j, this::failsafe, this::blastwallAsync,
        this::resilience4jAsync, this::failsafeAsync);
  }

  @TearDown(Level.Trial)
  public void stop() {
    r4jScheduler.shutdownNow();
  }

  @Benchmark
  public String blastwall() throws Exception {
    return pipeline.call(Payload.TASK);
  }

  @Benchmark
  public String resilience4j() throws Exception {
    return r4j.call();
  }

  @Benchmark
  public String failsafe() {
    return failsafe.get(FS_TASK);
  }

  @Benchmark
  public String blastwallAsync() {
    return pipeline.callAsync(Payload.ASYNC_TASK).join();
  }

  @Benchmark
  public String resilience4jAsync() {
    return r4jAsync.get().toCompletableFuture().join();
  }

  @Benchmark
  public String failsafeAsync() {
    return failsafeAsync.getStageAsync(FS_ASYNC_TASK).join();
  }
}
