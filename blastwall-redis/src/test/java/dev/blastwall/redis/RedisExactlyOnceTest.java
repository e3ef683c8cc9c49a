package dev.blastwall.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.idempotency.Begin;
import dev.blastwall.idempotency.Fingerprint;
import dev.blastwall.idempotency.IdempotencyKey;
import dev.blastwall.idempotency.IdempotencyStoreException;
import dev.blastwall.idempotency.StoredResponse;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once execution on a real Redis: two server replicas share one store, the "client" sends each keyed order
 * to either, loses 20% of the responses and retries with the same key from several threads. Every key must be
 * executed exactly once.
 *
 * <p>A server that dies between its effect and {@code complete} leaves a lease that expires, and the retry runs the
 * effect again: Redis cannot commit a record together with an effect kept elsewhere (PostgreSQL's
 * {@code completeWithin} can). The restart test measures exactly that bound.
 */
class RedisExactlyOnceTest {

  private static final int MUTATIONS = 10_000;
  private static final int THREADS = 4;
  /** Short, so that the keys a restart leaves in progress free up quickly; correctness does not depend on it. */
  private static final Duration LEASE = Duration.ofMillis(500);

  private static RealRedis redis;

  @BeforeAll
  static void startRedis() {
    redis = RealRedis.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  /** One server process: its own client, connection and store. Closing the connection is the process dying. */
  private record Server(RedisClient client, StatefulRedisConnection<byte[], byte[]> connection,
      RedisIdempotencyStore store) {

    static Server start(String prefix) {
      RedisClient client = redis.client();
      StatefulRedisConnection<byte[], byte[]> connection = RealRedis.connect(client);
      return new Server(client, connection, RedisIdempotencyStore.builder(connection.async()).keyPrefix(prefix)
          .commandTimeout(Duration.ofSeconds(5)).build());
    }

    /** Runs the order for key {@code i} once: counts the effect, then completes the record. */
    StoredResponse placeOrder(IdempotencyKey key, Fingerprint fingerprint, AtomicReferenceArray<Integer> effects,
        int i, AtomicInteger lostCompletions) {
      for (;;) {
        switch (store.begin(key, fingerprint, LEASE)) {
          case Begin.Replay replay -> {
            return replay.response();
          }
          case Begin.Started started -> {
            effects.accumulateAndGet(i, 1, Integer::sum); // the effect: charge the card
            StoredResponse placed = StoredResponse.of(201, key.key().getBytes(StandardCharsets.UTF_8));
            try {
              if (store.complete(started.lease(), placed, Duration.ofHours(24))) {
                return placed;
              }
            } catch (IdempotencyStoreException e) {
              lostCompletions.incrementAndGet(); // the server died after the effect: the record may be lost
              throw e;
            }
          }
          case Begin.InProgress busy -> sleepQuietly(busy.retryAfter()); // a lease a restart left behind
          case Begin.Mismatch mismatch -> throw new AssertionError("same payload for every retry of " + key);
        }
      }
    }

    void kill() {
      connection.close();
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  private static void sleepQuietly(Duration duration) {
    try {
      Thread.sleep(Math.min(duration.toMillis(), LEASE.toMillis()) + 1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private record Run(int executedOnce, int executedTwiceOrMore, int droppedResponses, int lostCompletions) {}

  private static Run run(String prefix, boolean restartMidway) throws Exception {
    AtomicReferenceArray<Server> replicas = new AtomicReferenceArray<>(
        new Server[] {Server.start(prefix), Server.start(prefix)});
    AtomicReferenceArray<Integer> effects = new AtomicReferenceArray<>(MUTATIONS);
    for (int i = 0; i < MUTATIONS; i++) {
      effects.set(i, 0);
    }
    AtomicInteger next = new AtomicInteger();
    AtomicInteger dropped = new AtomicInteger();
    AtomicInteger lostCompletions = new AtomicInteger();
    AtomicInteger restarts = new AtomicInteger();
    ExecutorService clients = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        SplittableRandom random = new SplittableRandom(17 + t);
        done.add(clients.submit(() -> {
          for (int i = next.getAndIncrement(); i < MUTATIONS; i = next.getAndIncrement()) {
            if (restartMidway && i == MUTATIONS / 2 && restarts.getAndIncrement() == 0) {
              // Kill replica 0 under the other clients' in-flight calls, then start a new one on the same Redis.
              replicas.getAndSet(0, Server.start(prefix)).kill();
            }
            IdempotencyKey key = new IdempotencyKey("tenant", "/shop.Orders/Place", "order-" + i);
            Fingerprint fingerprint = Fingerprint.sha256(key.key().getBytes(StandardCharsets.UTF_8));
            for (;;) {
              Server server = replicas.get(random.nextInt(2)); // a load balancer: any replica, per attempt
              try {
                server.placeOrder(key, fingerprint, effects, i, lostCompletions);
              } catch (IdempotencyStoreException lost) {
                continue; // the server died under the call: the client retries the same key
              }
              if (random.nextInt(5) == 0) {
                dropped.incrementAndGet(); // the response is lost on the way back: retry with the same key
                continue;
              }
              break;
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      clients.shutdownNow();
      replicas.get(0).kill();
      replicas.get(1).kill();
    }
    int once = 0;
    int more = 0;
    for (int i = 0; i < MUTATIONS; i++) {
      int n = effects.get(i);
      if (n == 1) {
        once++;
      } else if (n > 1) {
        more++;
      }
    }
    return new Run(once, more, dropped.get(), lostCompletions.get());
  }

  @Test
  void tenThousandMutationsOnTwoReplicasWithAFifthOfResponsesLostRunEachOnce() throws Exception {
    Run run = run("exactly-once:", false);
    assertThat(run.droppedResponses()).isBetween(MUTATIONS / 6, MUTATIONS / 3);
    assertThat(run.executedTwiceOrMore()).as("duplicate executions").isZero();
    assertThat(run.executedOnce()).isEqualTo(MUTATIONS);
  }

  @Test
  void replicaKilledMidRunRepeatsOnlyEffectsWhoseCompletionItLost() throws Exception {
    Run run = run("restart:", true);
    assertThat(run.executedOnce() + run.executedTwiceOrMore()).as("every order placed").isEqualTo(MUTATIONS);
    assertThat(run.executedTwiceOrMore()).as("duplicates").isLessThanOrEqualTo(run.lostCompletions());
  }
}
