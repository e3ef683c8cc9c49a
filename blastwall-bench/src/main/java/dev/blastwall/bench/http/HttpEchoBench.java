package dev.blastwall.bench.http;

import java.io.IOException;
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
 * A blocking GET of a 31-byte body from Jetty 12 on loopback, four ways: the JDK's {@code HttpClient} and OkHttp,
 * each bare ({@code jdkBare}, {@code okhttpBare}) and through Blastwall's client with the full pipeline and
 * {@code BlastwallServletFilter} on the server ({@code jdkBlastwall}, {@code okhttpBlastwall}). SampleTime gives
 * p50 and p99; JMH's {@code -prof gc} gives the bytes allocated per call ({@code gc.alloc.rate.norm}, client and
 * server together, as both run in this JVM).
 *
 * <p>Each benchmark has its own server and client, shared by its threads, and only the one it needs is started.
 * Run alone, each gets a fork; {@link HttpBenchRunner} instead warms all up once in its own JVM and then alternates
 * each bare variant with its Blastwall one in short runs.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HttpEchoBench {

  @Benchmark
  public byte[] jdkBare(JdkBare state) throws IOException, InterruptedException {
    return state.client.echo();
  }

  @Benchmark
  public byte[] jdkBlastwall(JdkBlastwall state) throws IOException, InterruptedException {
    return state.client.echo();
  }

  @Benchmark
  public byte[] okhttpBare(OkHttpBare state) throws IOException, InterruptedException {
    return state.client.echo();
  }

  @Benchmark
  public byte[] okhttpBlastwall(OkHttpBlastwall state) throws IOException, InterruptedException {
    return state.client.echo();
  }

  /** A variant's server and client: started when JMH makes the state, checked, closed at the end of the trial. */
  abstract static class Variant {
    final HttpEchoClient client;

    Variant(HttpEchoClient client) {
      this.client = client;
    }

    @Setup(Level.Trial)
    public void check() throws IOException, InterruptedException {
      client.check();
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
      client.stop();
    }
  }

  @State(Scope.Benchmark)
  public static class JdkBare extends Variant {
    public JdkBare() {
      super(HttpEchoClient.jdkBare());
    }
  }

  @State(Scope.Benchmark)
  public static class JdkBlastwall extends Variant {
    public JdkBlastwall() {
      super(HttpEchoClient.jdkBlastwall());
    }
  }

  @State(Scope.Benchmark)
  public static class OkHttpBare extends Variant {
    public OkHttpBare() {
      super(HttpEchoClient.okhttpBare());
    }
  }

  @State(Scope.Benchmark)
  public static class OkHttpBlastwall extends Variant {
    public OkHttpBlastwall() {
      super(HttpEchoClient.okhttpBlastwall());
    }
  }
}
