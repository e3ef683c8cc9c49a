package dev.blastwall.bench;

import dev.blastwall.pipeline.Pipeline;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.function.CheckedSupplier;
import io.github.resilience4j.timelimiter.TimeLimiter;
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
 * A 10 s timeout alone, on the success path: each call arms a timer and cancels it. Blocking: Blastwall's attempt
 * timeout and Failsafe's Timeout both run the task on the caller's thread and interrupt it when time is up;
 * Resilience4j's TimeLimiter has no such mode (it needs the task on another thread), so it is compared async only.
 *
 * <p>Failsafe's async execution runs the supplier on the common ForkJoinPool: its async numbers include a thread
 * hand-off.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class TimeoutBench {

  private static final CheckedSupplier<String> FS_TASK = () -> Payload.VALUE;
  private static final CheckedSupplier<CompletionStage<String>> FS_ASYNC_TASK = () -> Payload.DONE;

  final ScheduledExecutorService r4jScheduler = Policies.r4jScheduler();
  final Pipeline pipeline = Policies.pipeline().attemptTimeout(Policies.LONG).build();
  final Supplier<CompletionStage<String>> r4jAsync =
      TimeLimiter.decorateCompletionStage(Policies.r4jTimeLimiter(), r4jScheduler, Payload.ASYNC_TASK);
  final FailsafeExecutor<Object> failsafe = Failsafe.with(Policies.fsTimeout());
  final FailsafeExecutor<Object> failsafeAsync = Failsafe.with(Policies.fsTimeout());

  /** Every benchmark of this class returns the payload's value (checked once per fork, before measuring). */
  @Setup(Level.Trial)
  public void checkResults() {
    Check.returnsValue(this::blastwall, this::failsafe, this::blastwallAsync, this::resilience4jAsync,
        this::failsafeAsync);
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
