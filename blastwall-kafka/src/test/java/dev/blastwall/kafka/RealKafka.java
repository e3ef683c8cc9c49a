package dev.blastwall.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Apache Kafka (KRaft, broker and controller in one) for the whole test run: started once in a
 * child JVM from the Maven Central jars on the test class path, on free loopback ports with a temporary log
 * directory; killed and deleted when the test JVM exits. A broker start is seconds, so tests share it and each uses
 * its own topics and group ({@link #uniqueName}).
 */
final class RealKafka {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final AtomicInteger NAMES = new AtomicInteger();

  private final Process process;
  private final Path dir;
  private final String bootstrap;
  private final Admin admin;

  private RealKafka(Process process, Path dir, String bootstrap, Admin admin) {
    this.process = process;
    this.dir = dir;
    this.bootstrap = bootstrap;
    this.admin = admin;
  }

  /** The broker of this test run, started by the first caller (class initialisation makes that happen once). */
  static RealKafka shared() {
    return Shared.BROKER;
  }

  private static final class Shared {
    static final RealKafka BROKER = start();

    static {
      Runtime.getRuntime().addShutdownHook(new Thread(BROKER::stop, "real-kafka-stop"));
    }
  }

  String bootstrap() {
    return bootstrap;
  }

  Admin admin() {
    return admin;
  }

  /** A name no other test of this run uses, for a topic or group. */
  static String uniqueName(String prefix) {
    return prefix + "-" + NAMES.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Creates {@code names} with {@code partitions} partitions each, replication factor 1. */
  void createTopics(int partitions, String... names) {
    List<NewTopic> topics = new ArrayList<>();
    for (String name : names) {
      topics.add(new NewTopic(name, partitions, (short) 1));
    }
    try {
      admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("creating topics " + List.of(names) + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A free loopback port now; nothing else on this machine binds ports in the instant before the broker does. */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static RealKafka start() {
    try {
      Path dir = Files.createTempDirectory("blastwall-kafka-");
      int port = freePort();
      int controllerPort = freePort();
      Path config = dir.resolve("server.properties");
      Files.writeString(config, String.join("\n",
          "process.roles=broker,controller",
          "node.id=1",
          "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
          "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
          "advertised.listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
          "controller.listener.names=CONTROLLER",
          "inter.broker.listener.name=PLAINTEXT",
          "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
          "log.dirs=" + dir.resolve("data"),
          "num.partitions=1",
          "auto.create.topics.enable=false",
          "offsets.topic.replication.factor=1",
          "offsets.topic.num.partitions=1",
          "transaction.state.log.replication.factor=1",
          "transaction.state.log.min.isr=1",
          "share.coordinator.state.topic.replication.factor=1",
          "share.coordinator.state.topic.min.isr=1",
          "group.initial.rebalance.delay.ms=0",
          // The default 128 MB dedupe buffer would not fit the small heap below.
          "log.cleaner.dedupe.buffer.size=16777216",
          ""));
      List<String> java = javaCommand();
      // Format in-process would need the broker's jars on this JVM's module graph; a short child JVM is simpler.
      List<String> format = new ArrayList<>(java);
      format.addAll(List.of("kafka.tools.StorageTool", "format", "--standalone", "-t", Uuid.randomUuid().toString(),
          "-c", config.toString()));
      Process formatting = new ProcessBuilder(format).redirectErrorStream(true)
          .redirectOutput(dir.resolve("format.log").toFile()).start();
      if (!formatting.waitFor(60, TimeUnit.SECONDS) || formatting.exitValue() != 0) {
        formatting.destroyForcibly();
        throw new IllegalStateException("kafka storage format failed: " + Files.readString(dir.resolve("format.log")));
      }
      List<String> run = new ArrayList<>(java);
      run.addAll(List.of(BrokerMain.class.getName(), config.toString()));
      Process process = new ProcessBuilder(run).redirectErrorStream(true)
          .redirectOutput(dir.resolve("broker.log").toFile()).start();
      String bootstrap = "127.0.0.1:" + port;
      Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
          AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
      RealKafka broker = new RealKafka(process, dir, bootstrap, admin);
      broker.awaitReady();
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Ready when the broker answers a metadata request: probing the port, not a log line (logging may be off). */
  private void awaitReady() throws IOException, InterruptedException {
    long end = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < end) {
      if (!process.isAlive()) {
        throw new IllegalStateException("kafka broker exited with " + process.exitValue() + ": " + logTail());
      }
      try {
        admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        Thread.sleep(100);
      }
    }
    stop();
    throw new IllegalStateException("kafka broker not ready after " + START_TIMEOUT + ": " + logTail());
  }

  private String logTail() throws IOException {
    String log = Files.readString(dir.resolve("broker.log"));
    return log.substring(Math.max(0, log.length() - 4_000));
  }

  private static List<String> javaCommand() throws IOException {
    String classpathFile = System.getProperty("blastwall.kafka.broker.classpath");
    if (classpathFile == null) {
      throw new IllegalStateException("blastwall.kafka.broker.classpath is not set: run the tests through Maven");
    }
    String testClasses = Paths.get(BrokerMain.class.getProtectionDomain().getCodeSource().getLocation().getPath())
        .toString();
    String classpath = testClasses + java.io.File.pathSeparator + Files.readString(Path.of(classpathFile)).trim();
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", classpath);
  }

  /** Kills the broker (and its stdin watcher with it) and deletes its directory. */
  void stop() {
    admin.close(Duration.ofSeconds(1));
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
    } catch (IOException e) {
      // Best effort at exit: a leftover temp directory is not worth failing the run for.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "RealKafka[" + bootstrap + ", " + dir + "]";
  }
}
