package dev.blastwall.bench;

import dev.blastwall.pipeline.Pipeline;
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
 * Hedging with a 10 s hedge delay, so the primary always wins and no hedge is sent. Neither Resilience4j 2.4.0
 * nor Failsafe 3.3.2 has a hedging policy: compare with the baseline. A blocking hedged call runs its attempt on a
 * virtual thread (hedges overlap), so it pays a thread start and hand-off.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class HedgeBench {

  final Pipeline pipeline = Policies.pipeline().hedge(Policies.hedge()).build();

  /** Every benchmark of this class returns the payload's value (checked once per fork, before measuring). */
  @Setup(Level.Trial)
  public void checkResults() {
    Check.returnsValue(this::blastwall, this::blastwallAsync);
  }

  @Benchmark
  public String blastwall() throws Exception {
    return pipeline.call(Payload.TASK);
  }

  @Benchmark
  public String blastwallAsync() {
    return pipeline.callAsync(Payload.ASYNC_TASK).join();
  }
}
