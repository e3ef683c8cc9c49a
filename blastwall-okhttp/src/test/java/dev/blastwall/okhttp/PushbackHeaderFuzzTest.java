package dev.blastwall.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.retry.Backoff;
import dev.blastwall.retry.RetryBudget;
import dev.blastwall.retry.RetryPolicy;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * The response headers the interceptor reads (Retry-After, retry-after-ms, the do-not-retry mark) on failure statuses,
 * fuzzed from a fixed seed against a real server: every call ends, in bounded time, with a response or a
 * {@link BlastwallIOException}, never another exception or a wait past the pipeline's deadline.
 */
class PushbackHeaderFuzzTest {

  private static final int CALLS = 200;
  private static final int[] STATUSES = {429, 503, 503, 500, 502, 504, 400, 200};
  private static final List<Function<Random, String>> VALUES = List.of(
      random -> Integer.toString(random.nextInt(40)),
      random -> Long.toString(random.nextLong()),
      random -> "-" + random.nextInt(10),
      random -> "9".repeat(1 + random.nextInt(40)),
      random -> "",
      random -> " \t ",
      random -> "Sun, 06 Nov 1994 08:49:37 GMT",
      random -> "Fri, 31 Dec 9999 23:59:59 GMT",
      random -> "Sunday, 06-Nov-94 08:49:37 GMT",
      random -> "Sun Nov  6 08:49:37 1994",
      random -> "1.5",
      random -> "0x10",
      random -> "true",
      random -> "x".repeat(8192),
      random -> "caf\u00e9",
      random -> Integer.toString(random.nextInt(40)) + "," + random.nextInt(40));

  @Test
  void everyCallEnds_inBoundedTime_withAResponseOrABlastwallIoException() throws Exception {
    Random random = new Random(24);
    String[][] replies = new String[CALLS][];
    int[] statuses = new int[CALLS];
    for (int i = 0; i < CALLS; i++) {
      statuses[i] = STATUSES[random.nextInt(STATUSES.length)];
      replies[i] = new String[] {
          "retry-after", VALUES.get(random.nextInt(VALUES.size())).apply(random),
          "retry-after-ms", VALUES.get(random.nextInt(VALUES.size())).apply(random),
          "blastwall-do-not-retry", VALUES.get(random.nextInt(VALUES.size())).apply(random)};
    }
    try (TestServer server = TestServer.start(exchange -> {
      int call = Integer.parseInt(exchange.getRequestURI().getPath().substring(1));
      TestServer.reply(exchange, statuses[call], "fuzz", replies[call]);
    })) {
      OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
      Pipeline pipeline = Pipeline.builder("fuzz").timeout(Duration.ofMillis(500))
          .retry(RetryPolicy.builder().maxAttempts(2).backoff(Backoff.none()).build())
          .retryBudget(RetryBudget.unlimited()).build();
      OkHttpClient client = http.newBuilder()
          .addInterceptor(BlastwallInterceptor.builder(http, pipeline).build()).build();
      int answered = 0;
      for (int i = 0; i < CALLS; i++) {
        long start = System.nanoTime();
        try (Response response = client.newCall(new Request.Builder().url(server.url("/" + i)).build()).execute()) {
          assertThat(response.code()).isIn(statuses[i], 500);
          answered++;
        } catch (BlastwallIOException refused) {
          assertThat(refused).hasCauseInstanceOf(RuntimeException.class);
        } catch (IOException other) {
          throw new AssertionError("call " + i + ": " + other, other);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("call %d", i)
            .isLessThan(Duration.ofSeconds(5));
      }
      assertThat(answered).isPositive();
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }
}
