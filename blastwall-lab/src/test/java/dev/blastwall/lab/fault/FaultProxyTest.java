package dev.blastwall.lab.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.time.Cancellable;
import dev.blastwall.time.Scheduler;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class FaultProxyTest {
  private static final Duration GENEROUS = Duration.ofSeconds(3);

  private EchoServer echo;
  private FaultProxy proxy;

  @BeforeEach
  void setUp() throws IOException {
    echo = new EchoServer();
    proxy = FaultProxy.start("127.0.0.1", echo.port());
  }

  @AfterEach
  void tearDown() throws IOException {
    proxy.close();
    echo.close();
  }

  @Test
  void passesBytesThroughUnchanged() throws IOException {
    byte[] payload = new byte[64 * 1024];
    new Random(42).nextBytes(payload);
    try (Socket client = connect()) {
      client.getOutputStream().write(payload);
      assertThat(readExactly(client, payload.length)).isEqualTo(payload);
    }
    await(() -> proxy.stats().bytesDownstream() == payload.length && proxy.stats().bytesUpstream() == payload.length);
    FaultProxy.Stats stats = proxy.stats();
    assertThat(stats.connectionsAccepted()).isEqualTo(1);
    assertThat(stats.bytesUpstream()).isEqualTo(payload.length);
    assertThat(stats.resets()).isZero();
    assertThat(proxy.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
  }

  @Test
  void latencyDelaysEachChunk() throws IOException {
    proxy.addToxic("slow", Toxic.latency(Duration.ofMillis(200), Duration.ZERO));
    try (Socket client = connect()) {
      assertThat(roundTripNanos(client, "ping")).isBetween(ms(200), ms(200) + GENEROUS.toNanos());
    }
  }

  @Test
  void upstreamLatencyDelaysTheRequestToo() throws IOException {
    proxy.addToxic("up", Toxic.latency(Duration.ofMillis(150), Duration.ofMillis(20)).withDirection(Direction.UPSTREAM));
    try (Socket client = connect()) {
      assertThat(roundTripNanos(client, "ping")).isBetween(ms(130), ms(150) + GENEROUS.toNanos());
    }
  }

  @Test
  void bandwidthLimitsThroughput() throws IOException {
    proxy.addToxic("narrow", Toxic.bandwidth(20 * 1024));
    byte[] payload = new byte[20 * 1024];
    new Random(7).nextBytes(payload);
    try (Socket client = connect()) {
      long start = System.nanoTime();
      client.getOutputStream().write(payload);
      assertThat(readExactly(client, payload.length)).isEqualTo(payload);
      assertThat(System.nanoTime() - start).isBetween(ms(800), ms(800) + GENEROUS.toNanos());
    }
  }

  @Test
  void blackholeHoldsTheConnectionAndRemovalRestoresNewData() throws IOException {
    ToxicHandle hole = proxy.addToxic("hole", Toxic.blackhole());
    try (Socket client = connect()) {
      client.setSoTimeout(300);
      client.getOutputStream().write("lost".getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
      assertThat(proxy.stats().openConnections()).isEqualTo(1);

      assertThat(hole.remove()).isTrue();
      assertThat(hole.active()).isFalse();
      client.setSoTimeout(5000);
      assertThat(new String(roundTrip(client, "back"), StandardCharsets.UTF_8)).isEqualTo("back");
    }
  }

  @Test
  void timeoutClosesTheConnectionAfterTheDelay() throws IOException {
    proxy.addToxic("timeout", Toxic.timeout(Duration.ofMillis(200)));
    try (Socket client = connect()) {
      long start = System.nanoTime();
      client.getOutputStream().write("lost".getBytes(StandardCharsets.UTF_8));
      assertThat(client.getInputStream().read()).isEqualTo(-1);
      assertThat(System.nanoTime() - start).isBetween(ms(150), ms(200) + GENEROUS.toNanos());
    }
  }

  @Test
  void resetPeerResetsTheClient() throws IOException {
    proxy.addToxic("rst", Toxic.resetPeer(Duration.ofMillis(100)));
    try (Socket client = connect()) {
      assertThatThrownBy(() -> client.getInputStream().read())
          .isInstanceOf(SocketException.class)
          .hasMessageContaining("Connection reset");
    }
    assertThat(proxy.stats().resets()).isEqualTo(1);
  }

  @Test
  void slowCloseDelaysEndOfStream() throws IOException {
    proxy.addToxic("linger", Toxic.slowClose(Duration.ofMillis(300)));
    try (Socket client = connect()) {
      assertThat(new String(roundTrip(client, "bye"), StandardCharsets.UTF_8)).isEqualTo("bye");
      long start = System.nanoTime();
      client.shutdownOutput();
      assertThat(client.getInputStream().read()).isEqualTo(-1);
      assertThat(System.nanoTime() - start).isBetween(ms(300), ms(300) + GENEROUS.toNanos());
    }
  }

  @Test
  void withoutSlowCloseEndOfStreamIsPromptAndBothSidesClose() throws IOException {
    try (Socket client = connect()) {
      roundTrip(client, "bye");
      client.shutdownOutput();
      assertThat(client.getInputStream().read()).isEqualTo(-1);
    }
    await(() -> proxy.stats().openConnections() == 0);
  }

  @Test
  void downRefusesAndClosesAndUpRestores() throws IOException {
    Socket open = connect();
    roundTrip(open, "before");
    proxy.down();
    assertThat(proxy.isUp()).isFalse();
    assertThat(readOrFail(open)).isTrue();
    open.close();
    assertThat(connectsAndEchoes()).isFalse();

    proxy.up();
    assertThat(proxy.isUp()).isTrue();
    assertThat(connectsAndEchoes()).isTrue();
  }

  @Test
  void toxicityZeroNeverAppliesAndOneAlwaysDoes() throws IOException {
    ToxicHandle never = proxy.addToxic("never", Toxic.latency(Duration.ofMillis(500), Duration.ZERO).withToxicity(0));
    for (int i = 0; i < 5; i++) {
      try (Socket client = connect()) {
        assertThat(roundTripNanos(client, "fast")).isLessThan(ms(450));
      }
    }
    never.close();
    proxy.addToxic("always", Toxic.latency(Duration.ofMillis(100), Duration.ZERO).withToxicity(1));
    for (int i = 0; i < 3; i++) {
      try (Socket client = connect()) {
        assertThat(roundTripNanos(client, "slow")).isGreaterThanOrEqualTo(ms(100));
      }
    }
  }

  @Test
  void toxicityIsDrawnOncePerConnection() throws IOException {
    proxy.close();
    double[] draws = {0.9, 0.1};
    int[] next = {0};
    proxy =
        FaultProxy.builder("127.0.0.1", echo.port())
            .random(() -> draws[next[0]++ % draws.length])
            .start();
    proxy.addToxic("half", Toxic.blackhole().withToxicity(0.5));
    try (Socket spared = connect()) {
      // Drew 0.9: not affected, on every chunk.
      roundTrip(spared, "one");
      roundTrip(spared, "two");
    }
    try (Socket hit = connect()) {
      // Drew 0.1: black-holed.
      hit.setSoTimeout(200);
      hit.getOutputStream().write(1);
      assertThatThrownBy(() -> hit.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
    }
  }

  @Test
  void scheduledToxicStartsAndEndsOnTime() throws IOException {
    long start = System.nanoTime();
    Cancellable timeline =
        proxy.schedule(
            Toxic.blackhole().withDirection(Direction.UPSTREAM),
            Duration.ofMillis(200),
            Duration.ofMillis(600),
            Scheduler.system());
    try (Socket client = connect()) {
      roundTrip(client, "early");
      await(() -> !proxy.toxics().isEmpty());
      long installedAt = System.nanoTime() - start;
      assertThat(installedAt).isBetween(ms(200), ms(200) + GENEROUS.toNanos());

      client.setSoTimeout(250);
      client.getOutputStream().write("lost".getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);

      await(() -> proxy.toxics().isEmpty());
      assertThat(System.nanoTime() - start).isBetween(ms(800), ms(800) + GENEROUS.toNanos());
      client.setSoTimeout(5000);
      assertThat(new String(roundTrip(client, "late"), StandardCharsets.UTF_8)).isEqualTo("late");
    }
    assertThat(timeline.cancel()).isFalse();
  }

  @Test
  void cancellingATimelineRemovesItsToxic() {
    Cancellable timeline = proxy.schedule("soon", Toxic.blackhole(), Duration.ZERO, Duration.ofMinutes(1), Scheduler.system());
    await(() -> proxy.toxics().containsKey("soon"));
    assertThat(timeline.cancel()).isTrue();
    assertThat(proxy.toxics()).isEmpty();
  }

  @Test
  void namesAreUniqueAndValuesValidated() {
    proxy.addToxic("x", Toxic.bandwidth(1000));
    assertThatThrownBy(() -> proxy.addToxic("x", Toxic.bandwidth(1000))).isInstanceOf(IllegalArgumentException.class);
    assertThat(proxy.removeToxic("x")).isTrue();
    assertThat(proxy.removeToxic("x")).isFalse();
    assertThatThrownBy(() -> Toxic.bandwidth(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Toxic.timeout(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Toxic.blackhole().withToxicity(1.5)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void closeStopsEverything() throws IOException {
    Socket open = connect();
    roundTrip(open, "hello");
    proxy.close();
    assertThat(readOrFail(open)).isTrue();
    open.close();
    assertThat(connectsAndEchoes()).isFalse();
    assertThatThrownBy(proxy::up).isInstanceOf(IllegalStateException.class);
  }

  // ---- helpers ----

  private Socket connect() throws IOException {
    Socket socket = new Socket();
    socket.connect(proxy.address(), 2000);
    socket.setSoTimeout(5000);
    return socket;
  }

  private static long ms(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }

  private static byte[] roundTrip(Socket client, String message) throws IOException {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    client.getOutputStream().write(bytes);
    return readExactly(client, bytes.length);
  }

  private static long roundTripNanos(Socket client, String message) throws IOException {
    long start = System.nanoTime();
    byte[] echoed = roundTrip(client, message);
    long elapsed = System.nanoTime() - start;
    assertThat(new String(echoed, StandardCharsets.UTF_8)).isEqualTo(message);
    return elapsed;
  }

  private static byte[] readExactly(Socket client, int length) throws IOException {
    InputStream in = client.getInputStream();
    byte[] bytes = in.readNBytes(length);
    if (bytes.length != length) {
      throw new IOException("end of stream after " + bytes.length + " of " + length + " bytes: " + Arrays.toString(bytes));
    }
    return bytes;
  }

  /** Whether the socket sees end of stream or an error (the proxy closed it), rather than data or a timeout. */
  private static boolean readOrFail(Socket socket) throws IOException {
    socket.setSoTimeout(2000);
    try {
      return socket.getInputStream().read() == -1;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true;
    }
  }

  /** Whether a fresh connection to the proxy echoes a byte: false if refused or closed at once. */
  private boolean connectsAndEchoes() throws IOException {
    Socket socket = new Socket();
    try (socket) {
      socket.connect(proxy.address(), 2000);
      socket.setSoTimeout(2000);
      socket.getOutputStream().write(7);
      return socket.getInputStream().read() == 7;
    } catch (SocketException e) {
      return false; // Refused (ConnectException) or reset.
    }
  }

  /** Bounded polling for an effect of another thread. */
  private static void await(BooleanSupplier condition) {
    long deadline = System.nanoTime() + GENEROUS.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("condition not met within " + GENEROUS);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }
}
