package dev.blastwall.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.testing.FakeTicker;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Why durable stores exist: 10,000 keyed mutations, a fifth of the responses lost and retried a little later. The
 * in-memory store deduplicates every retry while the process lives, and a restart in the middle forgets the keys whose
 * retries come after it, which then run twice. (The PostgreSQL store's test runs the same with 0 duplicates.)
 */
class InMemoryRestartTest {

  private static final int MUTATIONS = 10_000;
  /** Lost responses are retried after this many further mutations: the retry's delay. */
  private static final int RETRY_DELAY = 50;

  private int duplicates(boolean restartMidway) {
    FakeTicker ticker = new FakeTicker();
    IdempotentHandler[] server = {IdempotentHandler.builder(InMemoryIdempotencyStore.builder().ticker(ticker).build())
        .build()};
    Map<String, Integer> effects = new HashMap<>();
    ArrayDeque<int[]> retries = new ArrayDeque<>(); // {key, due at mutation}
    SplittableRandom random = new SplittableRandom(17);
    for (int i = 0; i < MUTATIONS || !retries.isEmpty(); i++) {
      if (restartMidway && i == MUTATIONS / 2) {
        server[0] = IdempotentHandler.builder(InMemoryIdempotencyStore.builder().ticker(ticker).build()).build();
      }
      while (!retries.isEmpty() && retries.peek()[1] <= i) {
        send(server[0], retries.poll()[0], effects, random, retries, i);
      }
      if (i < MUTATIONS) {
        send(server[0], i, effects, random, retries, i);
      }
    }
    assertThat(effects).hasSize(MUTATIONS);
    return effects.values().stream().mapToInt(n -> n - 1).sum();
  }

  private static void send(IdempotentHandler server, int order, Map<String, Integer> effects, SplittableRandom random,
      ArrayDeque<int[]> retries, int now) {
    String key = "order-" + order;
    server.handle(new IdempotencyKey("tenant", "/shop.Orders/Place", key), new Fingerprint("fp-" + order), () -> {
      effects.merge(key, 1, Integer::sum);
      return Handled.result(StoredResponse.of(201, new byte[0]));
    });
    if (random.nextInt(5) == 0) {
      retries.add(new int[] {order, now + RETRY_DELAY}); // the response was lost on the way back
    }
  }

  @Test
  void withoutARestartEveryRetryIsDeduplicated() {
    assertThat(duplicates(false)).isZero();
  }

  @Test
  void aRestartForgetsTheKeysWhoseRetriesComeAfterIt() {
    int duplicates = duplicates(true);
    // The retries in flight across the restart: about a fifth of RETRY_DELAY keys, each run a second time.
    assertThat(duplicates).isBetween(1, RETRY_DELAY);
  }
}
