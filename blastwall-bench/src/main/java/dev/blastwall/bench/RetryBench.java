package dev.blastwall.bench;

import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.retry.RetryBudget;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.function.CheckedSupplier;
import io.github.resilience4j.retry.Retry;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Retry alone (3 attempts, no backoff; Blastwall with its retry budget, and without one as {@code blastwallNoBudget}),
 * on the success path.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class RetryBench {

  private static final CheckedSupplier<String> FS_TASK = () -> Payload.VALUE;

  final Pipeline pipeline = Policies.pipeline().retry(Policies.retry()).retryBudget(Policies.budget()).build();
  final Pipeline unbudgeted =
      Policies.pipeline().retry(Policies.retry()).retryBudget(RetryBudget.unlimited()).build();
  final Callable<String> r4j = Retry.decorateCallable(Policies.r4jRetry(), Payload.TASK);
  final FailsafeExecutor<Object> failsafe = Failsafe.with(Policies.fsRetry());

  /** Every benchmark of this class returns the payload's value (checked once per fork, before measuring). */
  @Setup(Level.Trial)
  public void checkResults() {
    Check.returnsValue(this::blastwall, this::blastwallNoBudget, this::resilience4j, this::failsafe);
  }

  @Benchmark
  public String blastwall() throws Exception {
    return pipeline.call(Payload.TASK);
  }

  /** Retry without a budget, like Resilience4j's: the retry mechanism alone. */
  @Benchmark
  public String blastwallNoBudget() throws Exception {
    return unbudgeted.call(Payload.TASK);
  }

  @Benchmark
  public String resilience4j() throws Exception {
    return r4j.call();
  }

  @Benchmark
  public String failsafe() {
    return failsafe.get(FS_TASK);
  }
}
