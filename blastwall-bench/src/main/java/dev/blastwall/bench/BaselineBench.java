package dev.blastwall.bench;

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
 * The payload called directly: what every other number is measured against. {@code directNanoTime} is one
 * {@link System#nanoTime()}, for scale: on virtual machines a clock read can cost more than a whole policy.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class BaselineBench {

  /** Every benchmark of this class returns the payload's value (checked once per fork, before measuring). */
  @Setup(Level.Trial)
  public void checkResults() {
    Check.returnsValue(this::direct, this::directAsync);
  }

  @Benchmark
  public String direct() throws Exception {
    return Payload.TASK.call();
  }

  @Benchmark
  public long directNanoTime() {
    return System.nanoTime();
  }

  @Benchmark
  public String directAsync() {
    return Payload.ASYNC_TASK.get().toCompletableFuture().join();
  }
}
