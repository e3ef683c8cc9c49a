package dev.blastwall.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.idempotency.Fingerprint;
import dev.blastwall.idempotency.Handled;
import dev.blastwall.idempotency.IdempotencyKey;
import dev.blastwall.idempotency.IdempotencyStoreException;
import dev.blastwall.idempotency.IdempotentHandler;
import dev.blastwall.idempotency.StoredResponse;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A Redis that is down or does not answer: the store fails with a typed {@link IdempotencyStoreException} within its
 * command timeout, and a keyed operation fails closed (its handler never runs).
 */
class RedisUnavailableTest {

  private static final IdempotencyKey KEY = new IdempotencyKey("t", "/shop.Orders/Place", "k-1");
  private static final Fingerprint FP = new Fingerprint("fp");
  private static final Duration LEASE = Duration.ofSeconds(30);

  @Test
  void redisStoppedUnderAnOpenConnectionFailsAtOnceAndTheHandlerDoesNotRun() {
    RealRedis redis = RealRedis.start();
    RedisClient client = redis.client();
    try (StatefulRedisConnection<byte[], byte[]> connection = RealRedis.connect(client)) {
      RedisIdempotencyStore store = RedisIdempotencyStore.builder(connection.async())
          .commandTimeout(Duration.ofMillis(200)).build();
      redis.close(); // the Redis process dies; the client notices and rejects commands while it reconnects

      AtomicInteger runs = new AtomicInteger();
      IdempotentHandler keyed = IdempotentHandler.builder(store).build();
      long started = System.nanoTime();
      assertThatThrownBy(() -> keyed.handle(KEY, FP, () -> {
        runs.incrementAndGet();
        return Handled.result(StoredResponse.of(200, new byte[0]));
      })).isInstanceOf(IdempotencyStoreException.class).hasMessageStartingWith("idempotency store begin failed: ");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
      assertThat(runs).hasValue(0);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void redisThatStopsAnsweringIsATimeoutNotAHang() {
    RealRedis redis = RealRedis.start();
    RedisClient client = redis.client();
    try (StatefulRedisConnection<byte[], byte[]> connection = RealRedis.connect(client)) {
      RedisIdempotencyStore store = RedisIdempotencyStore.builder(connection.async())
          .commandTimeout(Duration.ofMillis(100)).build();
      connection.sync().clientPause(30_000); // Redis holds every client's commands: a stuck server
      long started = System.nanoTime();
      assertThatThrownBy(() -> store.begin(KEY, FP, LEASE))
          .isInstanceOf(IdempotencyStoreException.class)
          .hasMessage("idempotency store begin failed: no answer from Redis within 100 ms");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      redis.close();
    }
  }
}
