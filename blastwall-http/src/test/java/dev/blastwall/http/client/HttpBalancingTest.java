package dev.blastwall.http.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.balance.PowerOfTwoChoicesSelector;

import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.time.RandomSource;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Client-side balancing on real servers: power of two choices shuns a slow endpoint; a killed one costs no GET. */
class HttpBalancingTest {

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable closeable : open) {
      closeable.close();
    }
    http.close();
  }

  /** A server that answers 200 after a server-side delay of {@code delay}. */
  private TestServer delayed(Duration delay) {
    TestServer server = TestServer.start(exchange -> {
      try {
        Thread.sleep(delay); // the endpoint's service time, on the server's side of a real socket
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("stopped");
      }
      TestServer.reply(exchange, 200, "ok");
    });
    open.add(server);
    return server;
  }

  private static HttpRequest get() {
    return HttpRequest.newBuilder(URI.create("http://orders/orders/7")).build();
  }

  @Test
  void powerOfTwoChoices_movesAtLeast80PercentOfCallsAwayFromATenTimesSlowerEndpoint() throws Exception {
    TestServer fast = delayed(Duration.ofMillis(20));
    TestServer slow = delayed(Duration.ofMillis(200));
    BlastwallHttpClient client = BlastwallHttpClient.builder(http, Pipeline.builder("orders").build())
        .endpoints(List.of(fast.base(), slow.base())).build();
    int workers = 4;
    int callsEach = 40;
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        done.add(pool.submit(() -> {
          for (int i = 0; i < callsEach; i++) {
            assertThat(client.send(get(), BodyHandlers.discarding()).statusCode()).isEqualTo(200);
          }
          return null;
        }));
      }
      for (Future<?> worker : done) {
        worker.get(60, TimeUnit.SECONDS);
      }
    }
    int total = workers * callsEach;
    assertThat(fast.hits() + slow.hits()).isEqualTo(total);
    assertThat(slow.hits()).as("calls to the slow endpoint of %d", total).isLessThanOrEqualTo(total / 5);
  }

  @Test
  void aKilledEndpoint_costsNoRepeatableCall() throws Exception {
    TestServer survivor = delayed(Duration.ZERO);
    TestServer victim = delayed(Duration.ZERO);
    // Random picks between two idle endpoints (calls are sequential), so the victim is tried after it died; the
    // default peak-EWMA selector may never draw it again, and then nothing shows its ejection.
    BlastwallHttpClient client = BlastwallHttpClient.builder(http, BlastwallHttpClientTest.retrying("orders", 3))
        .endpoints(List.of(survivor.base(), victim.base()))
        .selector(new PowerOfTwoChoicesSelector(RandomSource.threadLocal())).build();
    int calls = 200;
    int failed = 0;
    for (int i = 0; i < calls; i++) {
      if (i == calls / 4) {
        victim.close(); // mid-run: its pooled connections break and its port refuses
      }
      try {
        client.send(get(), BodyHandlers.discarding());
      } catch (RuntimeException failure) {
        failed++;
      }
    }
    assertThat(failed).isZero();
    assertThat(victim.hits()).isPositive().isLessThan(calls / 4 + 1);
    assertThat(java.util.Objects.requireNonNull(client.balancer()).members().get(1).ejected()).isTrue();
  }
}
