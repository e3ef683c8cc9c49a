package dev.blastwall.lab.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fault proxy in front of the JDK's HTTP/1.1 server, as the lab's HTTP services have it: keep-alive connections
 * go through it (one proxied connection serves many requests), and its latency, reset and blackhole apply to them.
 */
class FaultProxyHttpTest {

  private final Set<Integer> proxiedPorts = ConcurrentHashMap.newKeySet();
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private HttpServer server;
  private FaultProxy proxy;
  private HttpClient http;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(threads);
    server.createContext("/", exchange -> {
      proxiedPorts.add(exchange.getRemoteAddress().getPort());
      byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    proxy = FaultProxy.builder(InetAddress.getLoopbackAddress().getHostAddress(), server.getAddress().getPort())
        .start();
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterEach
  void stop() {
    http.shutdownNow();
    proxy.close();
    server.stop(0);
    threads.shutdownNow();
  }

  private HttpResponse<String> get(Duration timeout) throws IOException, InterruptedException {
    URI uri = URI.create("http://" + proxy.address().getAddress().getHostAddress() + ":" + proxy.address().getPort()
        + "/lab/call");
    return http.send(HttpRequest.newBuilder(uri).timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void keepAliveRequestsShareOneProxiedConnection() throws Exception {
    for (int i = 0; i < 5; i++) {
      assertThat(get(Duration.ofSeconds(5)).body()).isEqualTo("ok");
    }
    assertThat(proxiedPorts).hasSize(1);
  }

  @Test
  void latencyDelaysAKeptAliveConnection() throws Exception {
    assertThat(get(Duration.ofSeconds(5)).statusCode()).isEqualTo(200);
    proxy.addToxic("slow", Toxic.latency(Duration.ofMillis(200), Duration.ZERO));
    long start = System.nanoTime();
    assertThat(get(Duration.ofSeconds(5)).statusCode()).isEqualTo(200);
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
  }

  @Test
  void resetPeerBreaksTheExchange() {
    proxy.addToxic("reset", Toxic.resetPeer(Duration.ZERO));
    assertThatThrownBy(() -> get(Duration.ofSeconds(5))).isInstanceOf(IOException.class);
  }

  @Test
  void blackholeLeavesTheRequestUnansweredUntilItsTimeout() {
    proxy.addToxic("hole", Toxic.blackhole());
    assertThatThrownBy(() -> get(Duration.ofMillis(300))).isInstanceOf(HttpTimeoutException.class);
  }
}
