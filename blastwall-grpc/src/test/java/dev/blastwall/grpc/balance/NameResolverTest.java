package dev.blastwall.grpc.balance;

import static dev.blastwall.grpc.balance.Cluster.HELLO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.grpc.test.echo.EchoGrpc;
import io.grpc.EquivalentAddressGroup;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.NameResolver;
import io.grpc.NameResolver.ConfigOrError;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.SynchronizationContext;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The static and file name resolvers: bad targets refused with clear messages when the channel is built, bad files
 * failing calls with UNAVAILABLE and the reason, and file changes noticed by content (polls driven by a manual
 * timer, no waiting).
 */
@Timeout(60)
class NameResolverTest {

  @TempDir Path dir;

  private final ManualTimer timer = new ManualTimer();
  private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
  private final SynchronizationContext syncContext = new SynchronizationContext((thread, e) -> uncaught.add(e));
  private final Cluster cluster = new Cluster();

  @AfterEach
  void stop() throws InterruptedException {
    timer.shutdownNow();
    cluster.close();
    assertThat(uncaught).as("exceptions thrown inside the synchronization context").isEmpty();
  }

  static NameResolver.Args args(SynchronizationContext syncContext, ScheduledExecutorService timer) {
    return NameResolver.Args.newBuilder()
        .setDefaultPort(443)
        .setProxyDetector(address -> null)
        .setSynchronizationContext(syncContext)
        .setScheduledExecutorService(timer)
        .setServiceConfigParser(new NameResolver.ServiceConfigParser() {
          @Override
          public ConfigOrError parseServiceConfig(Map<String, ?> rawServiceConfig) {
            return ConfigOrError.fromConfig(rawServiceConfig);
          }
        })
        .build();
  }

  /** What a resolver reported: each result's addresses as {@code host:port}, or {@code error: <description>}. */
  static final class Reports extends NameResolver.Listener2 {
    final List<String> reports = new ArrayList<>();

    @Override
    public void onResult(NameResolver.ResolutionResult result) {
      List<String> addresses = new ArrayList<>();
      for (EquivalentAddressGroup group : result.getAddressesOrError().getValue()) {
        for (SocketAddress address : group.getAddresses()) {
          InetSocketAddress inet = (InetSocketAddress) address;
          addresses.add(inet.getHostString() + ":" + inet.getPort());
        }
      }
      reports.add(String.join(",", addresses));
    }

    @Override
    public void onError(Status error) {
      assertThat(error.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      reports.add("error: " + error.getDescription());
    }
  }

  private String fileTarget(Path file, String query) {
    return "blastwall-file://" + file.toUri().getRawPath() + (query.isEmpty() ? "" : "?" + query);
  }

  private NameResolver fileResolver(String target) {
    return Objects.requireNonNull(new BlastwallNameResolverProvider.File()
        .newNameResolver(URI.create(target), args(syncContext, timer)));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
      poll_ms=10000000000000       | poll_ms: "10000000000000" (expected: an integer number of milliseconds from 10 to 3600000)
      poll_ms=99999999999999999999 | poll_ms: "99999999999999999999" (expected: an integer number of milliseconds from 10 to 3600000)
      poll_ms=3600001              | poll_ms: "3600001" (expected: an integer number of milliseconds from 10 to 3600000)
      poll_ms=0                    | poll_ms: "0" (expected: an integer number of milliseconds from 10 to 3600000)
      poll_ms=9                    | poll_ms: "9" (expected: an integer number of milliseconds from 10 to 3600000)
      poll_ms=-5                   | poll_ms: "-5" (expected: an integer number of milliseconds from 10 to 3600000)
      poll_ms=abc                  | poll_ms: "abc" (expected: an integer number of milliseconds from 10 to 3600000)
      poll_ms=1e3                  | poll_ms: "1e3" (expected: an integer number of milliseconds from 10 to 3600000)
      poll_ms=                     | poll_ms: "" (expected: an integer number of milliseconds from 10 to 3600000)
      poll_ms                      | poll_ms: "" (expected: an integer number of milliseconds from 10 to 3600000)
      pol_ms=100                   | pol_ms: unknown query parameter of blastwall-file (expected: one of poll_ms; did you mean poll_ms?)
      poll-ms=100                  | poll-ms: unknown query parameter of blastwall-file (expected: one of poll_ms; did you mean poll_ms?)
      POLL_MS=100                  | POLL_MS: unknown query parameter of blastwall-file (expected: one of poll_ms; did you mean poll_ms?)
      interval=5s                  | interval: unknown query parameter of blastwall-file (expected: one of poll_ms)
      poll_ms=100&poll_ms=200      | poll_ms: "200" (expected: one poll_ms in the query)
      poll_ms=100&                 | "": unknown query parameter of blastwall-file (expected: one of poll_ms)
      """)
  void fileTarget_withABadQuery_isRefusedWhenTheChannelIsBuilt(String query, String message) throws Exception {
    Path file = Files.writeString(dir.resolve("endpoints.txt"), "127.0.0.1:1\n");
    String target = fileTarget(file, query);

    assertThatThrownBy(() -> cluster.track(
            Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void staticTarget_takesNoQuery_andRefusesBadEndpointsWithTheirText() {
    assertThatThrownBy(() -> cluster.track(Grpc.newChannelBuilder("blastwall-static:///127.0.0.1:5001?poll_ms=100",
            InsecureChannelCredentials.create()).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("poll_ms: unknown query parameter of blastwall-static (expected: no query)");
    assertThatThrownBy(() -> cluster.track(Grpc.newChannelBuilder("blastwall-static:///127.0.0.1:99999",
            InsecureChannelCredentials.create()).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("endpoint in blastwall-static:///127.0.0.1:99999: \"127.0.0.1:99999\" "
            + "(expected: host:port, or [v6]:port, with a port from 1 to 65535)");
    assertThatThrownBy(() -> cluster.track(Grpc.newChannelBuilder("blastwall-static:///",
            InsecureChannelCredentials.create()).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("endpoints in blastwall-static:///: none (expected: at least one host:port)");
  }

  @Test
  void pollIntervalsAtTheBounds_areWhatTheTimerIsAskedFor() throws Exception {
    Path file = Files.writeString(dir.resolve("endpoints.txt"), "127.0.0.1:1\n");
    for (String query : List.of("poll_ms=10", "poll_ms=3600000", "")) {
      NameResolver resolver = fileResolver(fileTarget(file, query));
      resolver.start(new Reports());
      resolver.shutdown();
    }
    assertThat(timer.delaysNanos()).containsExactly(TimeUnit.MILLISECONDS.toNanos(10),
        TimeUnit.HOURS.toNanos(1), TimeUnit.SECONDS.toNanos(1));
    assertThat(timer.runDue()).as("polls left after shutdown").isZero();
  }

  @Test
  void overflowingPollInterval_failsNoCallWithInternalPanic_theChannelIsNeverBuilt() throws Exception {
    // The case: the interval used to overflow Duration.toNanos() inside the synchronization context, and
    // every call then failed with "INTERNAL: Panic! This is a bug!".
    Path file = Files.writeString(dir.resolve("endpoints.txt"), "127.0.0.1:1\n");
    String target = fileTarget(file, "poll_ms=10000000000000");
    ManagedChannel channel = null;
    try {
      channel = Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
    } catch (IllegalArgumentException expected) {
      assertThat(expected).hasMessageStartingWith("poll_ms: \"10000000000000\" (expected: ");
    }
    if (channel != null) {
      cluster.track(channel);
      EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(channel).withDeadlineAfter(Duration.ofSeconds(5));
      assertThatThrownBy(() -> stub.get(HELLO)).isInstanceOf(StatusRuntimeException.class)
          .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode())
              .isNotEqualTo(Status.Code.INTERNAL))
          .hasMessageNotContaining("Panic");
    }
  }

  @Test
  void badEndpointsFile_failsCallsWithUnavailableAndTheReason_untilItIsFixed() throws Exception {
    Cluster.Backend backend = cluster.start("a");
    Path file = Files.writeString(dir.resolve("endpoints.txt"), "orders.internal:http\n");
    ManagedChannel channel = cluster.track(Grpc.newChannelBuilder(fileTarget(file, "poll_ms=10"),
        InsecureChannelCredentials.create()).build());
    EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(channel).withDeadlineAfter(Duration.ofSeconds(5));

    assertThatThrownBy(() -> stub.get(HELLO))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.getStatus().getDescription()).contains("cannot read endpoints from " + file + ": endpoint in "
              + file + ": \"orders.internal:http\" (expected: host:port, or [v6]:port, with a port from 1 to 65535)");
        });

    Files.writeString(file, backend.address() + "\n");
    // Bounded wait on the observed change: the channel's own 10 ms poll picks the fixed file up.
    long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String server = null;
    while (server == null && System.nanoTime() - limit < 0) {
      try {
        server = stub.withDeadlineAfter(Duration.ofSeconds(5)).get(HELLO).getServer();
      } catch (StatusRuntimeException stillBroken) {
        assertThat(stillBroken.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      }
    }
    assertThat(server).isEqualTo("a");
  }

  @Test
  void fileRewrittenKeepingSizeAndModificationTime_isNoticedAtTheNextPoll() throws Exception {
    Path file = Files.writeString(dir.resolve("endpoints.txt"), "127.0.0.1:5001\n");
    FileTime modified = Files.getLastModifiedTime(file);
    long size = Files.size(file);
    NameResolver resolver = fileResolver(fileTarget(file, "poll_ms=100"));
    Reports reports = new Reports();
    resolver.start(reports);
    assertThat(reports.reports).containsExactly("127.0.0.1:5001");

    // What `cp -p` of another file of the same length leaves: new content, the old size and modification time.
    Files.writeString(file, "127.0.0.1:5002\n", StandardCharsets.UTF_8);
    Files.setLastModifiedTime(file, modified);
    assertThat(Files.size(file)).isEqualTo(size);
    assertThat(Files.getLastModifiedTime(file)).isEqualTo(modified);

    assertThat(timer.runDue()).isEqualTo(1);
    assertThat(reports.reports).containsExactly("127.0.0.1:5001", "127.0.0.1:5002");

    // Unchanged content, or a change that leaves the same endpoints, reports nothing new.
    assertThat(timer.runDue()).isEqualTo(1);
    Files.writeString(file, "# moved\n127.0.0.1:5002\n", StandardCharsets.UTF_8);
    assertThat(timer.runDue()).isEqualTo(1);
    assertThat(reports.reports).hasSize(2);

    resolver.shutdown();
    assertThat(timer.runDue()).isZero();
  }

  @Test
  void unreadableOrOversizedFile_isReportedOnceUntilTheErrorChanges_andRecovers() throws Exception {
    Path file = dir.resolve("endpoints.txt");
    NameResolver resolver = fileResolver(fileTarget(file, "poll_ms=100"));
    Reports reports = new Reports();
    resolver.start(reports);
    timer.runDue(); // still missing: the same error, not reported again
    Files.write(file, new byte[BlastwallNameResolverProvider.MAX_FILE_BYTES + 1]);
    timer.runDue();
    timer.runDue();
    Files.writeString(file, "127.0.0.1:5001\n");
    timer.runDue();
    resolver.refresh(); // a refresh reports even what did not change
    resolver.shutdown();

    assertThat(reports.reports).hasSize(4);
    assertThat(reports.reports.get(0)).startsWith("error: cannot read endpoints from " + file + ": ");
    assertThat(reports.reports.get(1)).isEqualTo("error: cannot read endpoints from " + file + ": size of " + file
        + ": more than 1048576 bytes (expected: at most 1048576 bytes)");
    assertThat(reports.reports.subList(2, 4)).containsExactly("127.0.0.1:5001", "127.0.0.1:5001");
  }
}
