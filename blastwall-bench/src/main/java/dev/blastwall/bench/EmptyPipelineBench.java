package dev.blastwall.bench;

import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.retry.RetryBudget;
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
 * A pipeline with no policy configured: Blastwall's fixed cost per call. {@code blastwall} has the default retry
 * budget (every pipeline has one, so it is in every Blastwall number), {@code blastwallNoBudget} the unlimited one
 * that keeps no account; the difference is the budget's share.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class EmptyPipelineBench {

  final Pipeline pipeline = Policies.pipeline().build();
  final Pipeline noBudget = Policies.pipeline().retryBudget(RetryBudget.unlimited()).build();

  /** Every benchmark of this class returns the payload's value (checked once per fork, before measuring). */
  @Setup(Level.Trial)
  public void checkResults() {
    Check.returnsValue(this::blastwall, this::blastwallNoBudget, this::blastwallAsync);
  }

  @Benchmark
  public String blastwall() throws Exception {
    return pipeline.call(Payload.TASK);
  }

  @Benchmark
  public String blastwallNoBudget() throws Exception {
    return noBudget.call(Payload.TASK);
  }

  @Benchmark
  public String blastwallAsync() {
    return pipeline.callAsync(Payload.ASYNC_TASK).join();
  }
}
