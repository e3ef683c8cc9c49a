package dev.blastwall.bench;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.failure.CallNotPermittedException;
import dev.blastwall.pipeline.Pipeline;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.function.CheckedSupplier;
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
 * Failure path: the breaker is held open by hand, so every call is rejected without running the payload
 * (Blastwall {@code forceOpen()}, Resilience4j {@code transitionToForcedOpenState()}, Failsafe {@code open()}).
 * Each library's default rejection exception is built, stack trace and all; the benchmark returns it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class BreakerOpenBench {

  private static final CheckedSupplier<String> FS_TASK = () -> Payload.VALUE;

  final Pipeline pipeline;
  final Callable<String> r4j;
  final FailsafeExecutor<Object> failsafe;

  public BreakerOpenBench() {
    CircuitBreaker breaker = Policies.breaker();
    breaker.forceOpen();
    pipeline = Policies.pipeline().circuitBreaker(breaker).build();
    io.github.resilience4j.circuitbreaker.CircuitBreaker r4jBreaker = Policies.r4jBreaker();
    r4jBreaker.transitionToForcedOpenState();
    r4j = io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateCallable(r4jBreaker, Payload.TASK);
    dev.failsafe.CircuitBreaker<Object> fsBreaker = Policies.fsBreaker();
    fsBreaker.open();
    failsafe = Failsafe.with(fsBreaker);
    Check.rejects(CallNotPermittedException.class, () -> pipeline.call(Payload.TASK));
    Check.rejects(io.github.resilience4j.circuitbreaker.CallNotPermittedException.class, r4j);
    Check.rejects(CircuitBreakerOpenException.class, () -> failsafe.get(FS_TASK));
  }

  @Benchmark
  public Object blastwall() {
    try {
      return pipeline.call(Payload.TASK);
    } catch (Exception rejected) {
      return rejected;
    }
  }

  @Benchmark
  public Object resilience4j() {
    try {
      return r4j.call();
    } catch (Exception rejected) {
      return rejected;
    }
  }

  @Benchmark
  public Object failsafe() {
    try {
      return failsafe.get(FS_TASK);
    } catch (RuntimeException rejected) {
      return rejected;
    }
  }
}
