package dev.blastwall.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.http.HttpHeaderNames;
import dev.blastwall.propagation.Headers;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * 10,000 requests with random values of every header the filter reads (fixed seed; empty, negative, huge,
 * non-numeric, 8 KB, repeated, non-ASCII bytes), sent as raw bytes to a real Jetty 12 with the filter: every one is
 * answered (a hang fails on the socket's read timeout), never with a 5xx other than the 504 of an expired deadline,
 * every 400 names the header as {@code name: "value" (expected: ...)}, bounded and printable, and no permit is
 * held at the end.
 */
class BlastwallServletFilterFuzzTest {

  private static final int REQUESTS = 10_000;
  private static final String REFUSAL = "[a-z-]+: \".*\"(\\.\\.\\. \\([0-9]+ chars\\))? \\(expected: .+\\)\n";

  private static final List<String> NAMES = List.of(Headers.TIMEOUT, Headers.CRITICALITY, Headers.IDEMPOTENCY_KEY,
      Headers.ATTEMPT, Headers.ATTEMPT_KIND, Headers.DO_NOT_RETRY, Headers.TENANT, Headers.TRACEPARENT,
      Headers.TRACESTATE, HttpHeaderNames.RETRY_AFTER);

  private static final List<String> SEEDS = List.of("", "0", "-1", "1", "2", "100m", "5S", "0n", "99999999H",
      "1.5S", "CRITICAL", "sheddable", "hedge", "retry", "true", "false", "order-17", "acme",
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "a=b,c=d", "\u00e9t\u00e9", "\u0661\u0662m");

  @Test
  void randomHeaders_onRealJetty_areAnsweredOrClearlyRefused_andNoPermitLeaks() throws Exception {
    AtomicInteger handled = new AtomicInteger();
    CountingAdmission admission = new CountingAdmission(Integer.MAX_VALUE, false);
    Map<Integer, Integer> statuses = new TreeMap<>();
    SplittableRandom random = new SplittableRandom(2424L);
    try (JettyFixture jetty = new JettyFixture()) {
      jetty.filter(BlastwallServletFilterTest.admitting(admission)).servlet("/*", new HttpServlet() {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
          handled.incrementAndGet();
          byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
          resp.setContentLength(body.length);
          resp.getOutputStream().write(body);
        }
      }).start();
      try (RawHttp http = new RawHttp(jetty.port(), 10_000)) {
        for (int i = 0; i < REQUESTS; i++) {
          List<String[]> headers = new ArrayList<>();
          for (String name : NAMES) {
            if (random.nextInt(3) == 0) {
              int lines = random.nextInt(8) == 0 ? 2 + random.nextInt(3) : 1;
              for (int line = 0; line < lines; line++) {
                String shownName = random.nextBoolean() ? name : name.toUpperCase(Locale.ROOT);
                headers.add(new String[] {shownName, value(random)});
              }
            }
          }
          RawHttp.Response response = http.get("/orders", headers);
          String sample = "request " + i + ": " + response.status() + " " + response.body();
          statuses.merge(response.status(), 1, Integer::sum);
          assertThat(response.status()).as(sample).isIn(200, 400, 504);
          if (response.status() == 400) {
            assertThat(response.body()).as(sample).matches(REFUSAL).hasSizeLessThan(700);
            assertThat(response.body().chars().allMatch(c -> c == '\n' || (c >= 0x20 && c < 0x7f))).as(sample)
                .isTrue();
          }
        }
      }
    }
    // Both sides are reached: many requests run the handler, many are refused.
    assertThat(statuses.getOrDefault(200, 0)).as("%s", statuses).isGreaterThan(REQUESTS / 10);
    assertThat(statuses.getOrDefault(400, 0)).as("%s", statuses).isGreaterThan(REQUESTS / 10);
    assertThat(handled).hasValue(statuses.getOrDefault(200, 0));
    assertThat(admission.inFlight()).as("permits held").isZero();
    assertThat(admission.ended).hasValue(admission.admitted.get());
    assertThat(admission.extraEnds()).isZero();
  }

  private static String value(SplittableRandom random) {
    String value = switch (random.nextInt(8)) {
      case 0 -> "";
      case 1 -> Long.toString(random.nextLong());
      case 2 -> "9".repeat(1 + random.nextInt(40));
      case 3 -> "x".repeat(8192);
      case 4 -> chars(random, random.nextInt(30));
      default -> SEEDS.get(random.nextInt(SEEDS.size()));
    };
    // CR and LF would end the header line: the request's framing is Jetty's business, not the filter's.
    return value.replace('\r', ' ').replace('\n', ' ');
  }

  private static String chars(SplittableRandom random, int length) {
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append((char) (random.nextInt(4) == 0 ? 0xa0 + random.nextInt(0x3000) : 0x21 + random.nextInt(0x5e)));
    }
    return out.toString();
  }
}
