package dev.blastwall.bench.grpc;

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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A blocking unary echo of a small message over loopback, bare grpc-java ({@code bare}) against the same call
 * through Blastwall's client and server interceptors ({@code blastwall}), no faults. {@code Mode.Throughput} gives
 * calls per second (all threads together), {@code Mode.SampleTime} the latency distribution (p50, p99).
 *
 * <p>Each benchmark has its own server and channel, shared by its threads (one channel per client process, as
 * applications use them), and only the one it needs is started. The warm-up is 15 s: a loopback RPC stack takes
 * that long to be compiled and steady (Netty's buffer pools, gRPC's executors). Run alone, each benchmark gets a
 * fork with that warm-up; {@link GrpcBenchRunner} instead warms both up once in its own JVM and then alternates
 * them in short runs. Thread counts come from the runner or JMH's {@code -t}.
 */
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class GrpcEchoBench {

  @Benchmark
  public byte[] bare(Bare endpoint) {
    return endpoint.endpoint.echo();
  }

  @Benchmark
  public byte[] blastwall(Blastwall endpoint) {
    return endpoint.endpoint.echo();
  }

  /** Bare grpc-java's server and channel. */
  @State(Scope.Benchmark)
  public static class Bare {
    final EchoEndpoint endpoint;

    public Bare() {
      endpoint = EchoEndpoint.bare();
    }

    @Setup(Level.Trial)
    public void check() {
      endpoint.check();
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
      endpoint.close();
    }
  }

  /** The server and channel with Blastwall's interceptors and the full client pipeline. */
  @State(Scope.Benchmark)
  public static class Blastwall {
    final EchoEndpoint endpoint;

    public Blastwall() {
      endpoint = EchoEndpoint.blastwall();
    }

    @Setup(Level.Trial)
    public void check() {
      endpoint.check();
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
      endpoint.close();
    }
  }
}
