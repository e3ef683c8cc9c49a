package dev.blastwall.bench;

import dev.blastwall.failure.RetriesExhaustedException;
import dev.blastwall.pipeline.Pipeline;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.function.CheckedSupplier;
import io.github.resilience4j.retry.Retry;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Failure path: the payload always fails (a preallocated, stackless I/O error), and each library makes its 3
 * attempts without backoff, then gives up with its default exception (Blastwall: a RetriesExhaustedException
 * caused by the failure; Resilience4j: the failure itself; Failsafe: a FailsafeException wrapping it, as it does
 * for checked exceptions). Blastwall's retry budget is large enough never to refuse.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class RetriesExhaustedBench {

  private static final CheckedSupplier<String> FS_FAILING = () -> {
    throw Payload.FAILURE;
  };

  final Pipeline pipeline = Policies.pipeline().retry(Policies.retry()).retryBudget(Policies.budget()).build();
  final Callable<String> r4j = Retry.decorateCallable(Policies.r4jRetry(), Payload.FAILING_TASK);
  final FailsafeExecutor<Object> failsafe = Failsafe.with(Policies.fsRetry());

  public RetriesExhaustedBench() {
    Check.attempts(Policies.ATTEMPTS, RetriesExhaustedException.class, task -> pipeline.call(task));
    Check.attempts(Policies.ATTEMPTS, Payload.Failure.class,
        task -> Retry.decorateCallable(Policies.r4jRetry(), task).call());
    Check.attempts(Policies.ATTEMPTS, FailsafeException.class, task -> failsafe.get(task::call));
    Check.rejects(RetriesExhaustedException.class, () -> pipeline.call(Payload.FAILING_TASK));
  }

  @Benchmark
  public Object blastwall() {
    try {
      return pipeline.call(Payload.FAILING_TASK);
    } catch (Exception exhausted) {
      return exhausted;
    }
  }

  @Benchmark
  public Object resilience4j() {
    try {
      return r4j.call();
    } catch (Exception exhausted) {
      return exhausted;
    }
  }

  @Benchmark
  public Object failsafe() {
    try {
      return failsafe.get(FS_FAILING);
    } catch (RuntimeException exhausted) {
      return exhausted;
    }
  }
}
