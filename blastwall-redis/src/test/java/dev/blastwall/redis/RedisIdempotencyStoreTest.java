package dev.blastwall.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.idempotency.Begin;
import dev.blastwall.idempotency.Fingerprint;
import dev.blastwall.idempotency.IdempotencyKey;
import dev.blastwall.idempotency.IdempotencyStore;
import dev.blastwall.idempotency.StoredResponse;
import dev.blastwall.idempotency.contract.IdempotencyStoreContract;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The store contract on a real redis-server, plus what only this store has (key layout, a lost script cache). */
class RedisIdempotencyStoreTest extends IdempotencyStoreContract {

  private static RealRedis redis;
  private static RedisClient client;
  private static StatefulRedisConnection<byte[], byte[]> connection;
  private static RedisIdempotencyStore shared;

  @BeforeAll
  static void startRedis() {
    redis = RealRedis.start();
    client = redis.client();
    connection = RealRedis.connect(client);
    shared = RedisIdempotencyStore.builder(connection.async()).build();
  }

  @AfterAll
  static void stopRedis() {
    connection.close();
    client.shutdown();
    redis.close();
  }

  @Override
  protected IdempotencyStore newStore() {
    return shared; // one Redis for the class: the contract's keys never repeat
  }

  /** Time passes for the records, not the test: every record's remaining time shrinks by {@code duration}. */
  @Override
  protected void advance(Duration duration) {
    RedisCommands<byte[], byte[]> sync = connection.sync();
    for (byte[] key : sync.keys(shared.keyPrefix() + "*")) {
      long left = sync.pttl(key);
      if (left > 0) {
        sync.pexpire(key, left - duration.toMillis()); // <= 0 deletes the key, as its expiry would
      }
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void scopesThatLookAlikeWhenJoinedAreDifferentRecords() {
    IdempotencyKey a = new IdempotencyKey("t:1", "op", "k");
    IdempotencyKey b = new IdempotencyKey("t", "1:op", "k");
    assertThat(shared.redisKey(a)).isNotEqualTo(shared.redisKey(b));
    assertThat(shared.redisKey(a)).isEqualTo("blastwall:idem:3:t:1:2:op:k");
  }

  @Test
  void lostScriptCacheIsRefilledFromTheSource() {
    connection.sync().scriptFlush();
    IdempotencyKey key = freshKey("t1");
    Begin begin = shared.begin(key, new Fingerprint("fp"), LEASE);
    assertThat(begin).isInstanceOf(Begin.Started.class);
    connection.sync().scriptFlush();
    assertThat(shared.complete(((Begin.Started) begin).lease(), StoredResponse.of(200, bytes("ok")), TTL)).isTrue();
    assertThat(shared.begin(key, new Fingerprint("fp"), LEASE))
        .isEqualTo(new Begin.Replay(StoredResponse.of(200, bytes("ok"))));
  }

  @Test
  void recordsExpireInRedisItself() {
    IdempotencyKey key = freshKey("t1");
    Begin begin = shared.begin(key, new Fingerprint("fp"), Duration.ofSeconds(7));
    long leaseLeft = connection.sync().pttl(bytes(shared.redisKey(key)));
    assertThat(leaseLeft).isBetween(1L, 7_000L);
    shared.complete(((Begin.Started) begin).lease(), StoredResponse.of(200, new byte[0]), Duration.ofMinutes(5));
    assertThat(connection.sync().pttl(bytes(shared.redisKey(key)))).isBetween(7_000L, 300_000L);
  }

  @Test
  void bodyAboveTheBoundIsRefusedWithItsSize() {
    RedisIdempotencyStore small = RedisIdempotencyStore.builder(connection.async()).maxBodyBytes(4).build();
    Begin begin = small.begin(freshKey("t1"), new Fingerprint("fp"), LEASE);
    assertThatThrownBy(() -> small.complete(((Begin.Started) begin).lease(), StoredResponse.of(200, new byte[5]), TTL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("response.body: 5 bytes (expected: <= 4 bytes)");
  }

  @Test
  void keyPrefixOutsideVisibleAsciiIsRefused() {
    assertThatThrownBy(() -> RedisIdempotencyStore.builder(connection.async()).keyPrefix("a b"))
        .hasMessage("keyPrefix: \"a b\" (expected: 1 to 64 visible ASCII characters)");
  }
}
