package dev.blastwall.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.context.Idempotency;
import dev.blastwall.idempotency.Begin;
import dev.blastwall.idempotency.Fingerprint;
import dev.blastwall.idempotency.IdempotencyKey;
import dev.blastwall.idempotency.StoredResponse;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store's wire boundary with untrusted parts: random visible-ASCII tenants, operations, keys and fingerprints
 * (Redis glob and hash-tag characters included) and random body bytes make the round trip through Redis unchanged,
 * and distinct scopes never share a Redis key. Fixed seed, a fixed number of cases.
 */
class RedisIdempotencyStoreFuzzTest {

  private static final int CASES = 400;

  private static RealRedis redis;
  private static RedisClient client;
  private static StatefulRedisConnection<byte[], byte[]> connection;

  @BeforeAll
  static void startRedis() {
    redis = RealRedis.start();
    client = redis.client();
    connection = RealRedis.connect(client);
  }

  @AfterAll
  static void stopRedis() {
    connection.close();
    client.shutdown();
    redis.close();
  }

  private static String visibleAscii(SplittableRandom random, int maxLength) {
    // Short strings mostly (so that collisions of joined parts are likely to be tried), some up to the bound.
    int length = random.nextInt(4) == 0 ? 1 + random.nextInt(maxLength) : 1 + random.nextInt(4);
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append(random.nextInt(3) == 0 ? ":*{}"
          .charAt(random.nextInt(4)) : (char) ('!' + random.nextInt('~' - '!' + 1)));
    }
    return text.toString();
  }

  @Test
  void randomScopesAndBodiesRoundTripUnchangedAndNeverShareAKey() {
    RedisIdempotencyStore store = RedisIdempotencyStore.builder(connection.async()).build();
    SplittableRandom random = new SplittableRandom(20261207);
    Map<String, IdempotencyKey> seen = new HashMap<>();
    for (int i = 0; i < CASES; i++) {
      IdempotencyKey key = new IdempotencyKey(visibleAscii(random, IdempotencyKey.MAX_TENANT_LENGTH),
          visibleAscii(random, IdempotencyKey.MAX_OPERATION_LENGTH), visibleAscii(random, Idempotency.MAX_KEY_LENGTH));
      IdempotencyKey earlier = seen.putIfAbsent(store.redisKey(key), key);
      assertThat(earlier == null || earlier.equals(key)).as("%s and %s share a Redis key", earlier, key).isTrue();
      Fingerprint fingerprint = new Fingerprint(visibleAscii(random, Fingerprint.MAX_LENGTH));
      byte[] body = new byte[random.nextInt(4) == 0 ? random.nextInt(64 * 1024) : random.nextInt(16)];
      random.nextBytes(body);
      StoredResponse response = StoredResponse.of(random.nextInt(StoredResponse.MAX_STATUS + 1), body);

      Begin begin = store.begin(key, fingerprint, Duration.ofSeconds(30));
      if (earlier != null) {
        continue; // the same scope drawn twice: already stored, nothing new to check
      }
      assertThat(begin).isInstanceOf(Begin.Started.class);
      assertThat(store.complete(((Begin.Started) begin).lease(), response, Duration.ofMinutes(5))).isTrue();
      assertThat(store.begin(key, fingerprint, Duration.ofSeconds(30))).isEqualTo(new Begin.Replay(response));
    }
  }
}
