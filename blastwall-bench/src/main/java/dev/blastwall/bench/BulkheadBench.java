package dev.blastwall.bench;

import dev.blastwall.pipeline.Pipeline;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.function.CheckedSupplier;
import io.github.resilience4j.bulkhead.Bulkhead;
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

/** A semaphore bulkhead alone (1000 permits, no queue), on the success path. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class BulkheadBench {

  private static final CheckedSupplier<String> FS_TASK = () -> Payload.VALUE;

  final Pipeline pipeline = Policies.pipeline().bulkhead(Policies.bulkhead()).build();
  final Callable<String> r4j = Bulkhead.decorateCallable(Policies.r4jBulkhead(), Payload.TASK);
  final FailsafeExecutor<Object> failsafe = Failsafe.with(Policies.fsBulkhead());

  /** Every benchmark of this class returns the payload's value (checked once per fork, before measuring). */
  @Setup(Level.Trial)
  public void checkResults() {
    Check.returnsValue(this::blastwall, this::resilience4j, this::failsafe);
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
}
