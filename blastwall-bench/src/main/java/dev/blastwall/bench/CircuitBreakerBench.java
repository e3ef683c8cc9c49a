package dev.blastwall.bench;

import dev.blastwall.pipeline.Pipeline;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.function.CheckedSupplier;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
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
 * A closed circuit breaker alone (default count window), on the success path: it never trips. Blastwall's default
 * breaker does not time calls (no slow-call duration set); {@code blastwallSlowCalls} sets one, so it reads the
 * clock before and after every call as Resilience4j's breaker always does.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class CircuitBreakerBench {

  private static final CheckedSupplier<String> FS_TASK = () -> Payload.VALUE;

  final Pipeline pipeline = Policies.pipeline().circuitBreaker(Policies.breaker()).build();
  final Pipeline timing = Policies.pipeline().circuitBreaker(Policies.timingBreaker()).build();
  final Callable<String> r4j = CircuitBreaker.decorateCallable(Policies.r4jBreaker(), Payload.TASK);
  final FailsafeExecutor<Object> failsafe = Failsafe.with(Policies.fsBreaker());

  /** Every benchmark of this class returns the payload's value (checked once per fork, before measuring). */
  @Setup(Level.Trial)
  public void checkResults() {
    Check.returnsValue(this::blastwall, this::blastwallSlowCalls, this::resilience4j, this::failsafe);
  }

  @Benchmark
  public String blastwall() throws Exception {
    return pipeline.call(Payload.TASK);
  }

  /** The breaker timing every call as Resilience4j's does: two clock readings per call. */
  @Benchmark
  public String blastwallSlowCalls() throws Exception {
    return timing.call(Payload.TASK);
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
