package dev.blastwall.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.fallback.Posture;
import dev.blastwall.ratelimit.KeyedRateLimiter;
import dev.blastwall.ratelimit.RateLimiter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Redis token bucket on a real redis-server. Refill rates are per hour, so that the seconds a test takes refill
 * (almost) nothing and counts are exact without sleeping; Redis keeps the time.
 */
class RedisRateLimiterTest {

  private static final Duration HOUR = Duration.ofHours(1);

  private static RealRedis redis;
  private static RedisClient clientA;
  private static RedisClient clientB;
  private static StatefulRedisConnection<byte[], byte[]> instanceA;
  private static StatefulRedisConnection<byte[], byte[]> instanceB;
  private static int buckets;

  @BeforeAll
  static void startRedis() {
    redis = RealRedis.start();
    clientA = redis.client();
    clientB = redis.client();
    instanceA = RealRedis.connect(clientA);
    instanceB = RealRedis.connect(clientB);
  }

  @AfterAll
  static void stopRedis() {
    instanceA.close();
    instanceB.close();
    clientA.shutdown();
    clientB.shutdown();
    redis.close();
  }

  private static String freshName() {
    return "bucket-" + System.nanoTime() + "-" + buckets++;
  }

  private static RedisRateLimiter limiter(StatefulRedisConnection<byte[], byte[]> on, String name, int capacity,
      int perHour) {
    return RedisRateLimiter.builder(on.async(), name, capacity, perHour, HOUR)
        .whenUnavailable(Posture.FAIL_CLOSED).build();
  }

  @Test
  void twoInstancesSharingABucketTogetherStayWithinItsLimit() throws Exception {
    String name = freshName();
    List<RedisRateLimiter> instances = List.of(limiter(instanceA, name, 200, 200), limiter(instanceB, name, 200, 200));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<int[]>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        RateLimiter mine = instances.get(t % 2);
        results.add(pool.submit(() -> {
          go.await();
          int granted = 0;
          for (int i = 0; i < 100; i++) {
            if (RateLimiter.isGranted(mine.tryAcquire())) {
              granted++;
            }
          }
          return new int[] {granted};
        }));
      }
      go.countDown();
      int[] perInstance = new int[2];
      for (int t = 0; t < 8; t++) {
        perInstance[t % 2] += results.get(t).get(60, TimeUnit.SECONDS)[0];
      }
      // 800 attempts on a limit of 200: each instance alone would have granted 200 with a local bucket.
      int total = perInstance[0] + perInstance[1];
      assertThat(total).as("granted by both instances together").isBetween(200, 210);
      assertThat(perInstance[0]).isLessThan(200);
      assertThat(perInstance[1]).isLessThan(200);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void freshBucketIsFullAndAnEmptyOneSaysWhenTheNextPermitComes() {
    RedisRateLimiter bucket = limiter(instanceA, freshName(), 3, 1);
    assertThat(bucket.availablePermits()).isEqualTo(3);
    assertThat(bucket.nanosUntilNextPermit()).isZero();
    assertThat(bucket.tryAcquire(3)).isZero();
    assertThat(bucket.availablePermits()).isZero();

    long refused = bucket.tryAcquire();
    assertThat(RateLimiter.isGranted(refused)).isFalse();
    assertThat(Duration.ofNanos(RateLimiter.retryAfterNanos(refused))).isBetween(HOUR.minusMinutes(1), HOUR);
    assertThat(Duration.ofNanos(bucket.nanosUntilNextPermit())).isBetween(HOUR.minusMinutes(1), HOUR);
  }

  @Test
  void callerWillingToWaitBooksTheNextPermitAndTheOneAfterWaitsLonger() {
    RedisRateLimiter bucket = limiter(instanceA, freshName(), 1, 1);
    assertThat(bucket.tryAcquire()).isZero();
    long booked = bucket.tryAcquire(1, Duration.ofHours(2).toNanos());
    assertThat(Duration.ofNanos(booked)).isBetween(HOUR.minusMinutes(1), HOUR);
    long next = bucket.tryAcquire(1, 0);
    assertThat(Duration.ofNanos(RateLimiter.retryAfterNanos(next))).isBetween(HOUR.multipliedBy(2).minusMinutes(1),
        HOUR.multipliedBy(2));
  }

  @Test
  void keyedLimitsBuiltFromRedisBucketsAreIndependentPerKey() {
    String prefix = freshName();
    KeyedRateLimiter<String> perTenant = KeyedRateLimiter.<String>builder(
        tenant -> limiter(instanceA, prefix + ":" + tenant, 2, 1)).build();
    assertThat(perTenant.tryAcquire("a")).isZero();
    assertThat(perTenant.tryAcquire("a")).isZero();
    assertThat(RateLimiter.isGranted(perTenant.tryAcquire("a"))).isFalse();
    assertThat(perTenant.tryAcquire("b")).isZero();
  }

  @Test
  void redisDownAnswersWithTheChosenPostureQuickly() {
    RealRedis doomed = RealRedis.start();
    RedisClient client = doomed.client();
    try (StatefulRedisConnection<byte[], byte[]> connection = RealRedis.connect(client)) {
      RedisRateLimiter open = RedisRateLimiter.builder(connection.async(), "down", 1, 1, HOUR)
          .whenUnavailable(Posture.FAIL_OPEN).commandTimeout(Duration.ofMillis(100)).build();
      RedisRateLimiter closed = RedisRateLimiter.builder(connection.async(), "down", 1, 1, HOUR)
          .whenUnavailable(Posture.FAIL_CLOSED).commandTimeout(Duration.ofMillis(100)).build();
      assertThat(open.tryAcquire()).isZero(); // Redis up: the bucket's one permit
      assertThat(RateLimiter.isGranted(closed.tryAcquire())).isFalse();
      doomed.close();

      long started = System.nanoTime();
      for (int i = 0; i < 3; i++) {
        assertThat(open.tryAcquire()).as("fail open grants").isZero();
        long refused = closed.tryAcquire();
        assertThat(RateLimiter.retryAfterNanos(refused)).as("fail closed refuses")
            .isEqualTo(Duration.ofMillis(RedisRateLimiter.UNAVAILABLE_RETRY_AFTER_MILLIS).toNanos());
      }
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
      assertThat(open.availablePermits()).isEqualTo(1);
      assertThat(closed.availablePermits()).isZero();
      assertThat(open.unavailableAnswers()).isEqualTo(4);
      assertThat(closed.unavailableAnswers()).isEqualTo(4);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void badArgumentsAreRefusedWithTheirNames() {
    RedisRateLimiter bucket = limiter(instanceA, freshName(), 5, 1);
    assertThatThrownBy(() -> bucket.tryAcquire(6)).hasMessage("permits: 6 (expected: 1 <= permits <= 5)");
    assertThatThrownBy(() -> bucket.tryAcquire(1, -1)).hasMessageStartingWith("maxWaitNanos: -1 (expected: ");
    assertThatThrownBy(() -> RedisRateLimiter.builder(instanceA.async(), "a b", 1, 1, HOUR))
        .hasMessage("name: \"a b\" (expected: 1 to 256 visible ASCII characters)");
    assertThatThrownBy(() -> RedisRateLimiter.builder(instanceA.async(), "n", 1, 2, Duration.ofNanos(1000)))
        .hasMessageStartingWith("refillPermits: 2 (expected: <= 1 for a period of PT0.000001S");
    assertThatThrownBy(() -> RedisRateLimiter.builder(instanceA.async(), "n", 1, 1, HOUR).build())
        .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("whenUnavailable: not set");
  }
}
