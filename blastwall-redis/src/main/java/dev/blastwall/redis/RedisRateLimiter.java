package dev.blastwall.redis;

import dev.blastwall.fallback.Posture;
import dev.blastwall.internal.Checks;
import dev.blastwall.internal.Untrusted;
import dev.blastwall.ratelimit.RateLimiter;
import dev.blastwall.redis.internal.LuaScript;
import dev.blastwall.redis.internal.RedisUnavailableException;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A token bucket kept in Redis, so every instance that uses the same Redis and name shares one limit: it holds up to
 * {@code capacity} permits and refills {@code refillPermits} every {@code refillPeriod}, continuously, starting full,
 * exactly as core's {@code TokenBucketRateLimiter} does for one process (the same GCRA bookkeeping, including booked
 * waits), behind the same {@link RateLimiter} interface.
 *
 * <ul>
 *   <li>Each decision is one Lua script, one round trip, atomic in Redis; time is Redis's own ({@code TIME}, in
 *       microseconds), so instances with skewed clocks agree.
 *   <li>The state is one key holding one number (when the bucket is full again), with an expiry at that moment: an
 *       idle limit costs Redis nothing.
 *   <li>Per-key limits: one of these per key, e.g. from a {@code KeyedRateLimiter} factory
 *       ({@code tenant -> RedisRateLimiter.builder(redis, "orders:" + tenant, ...).whenUnavailable(...).build()}).
 * </ul>
 *
 * <h2>When Redis cannot answer</h2>
 *
 * <p>Unlike the in-process limiters, a decision waits for Redis, at most {@link Builder#commandTimeout} (default
 * {@value #DEFAULT_COMMAND_TIMEOUT_MILLIS} ms). When Redis is unreachable, slow or fails, the answer is the
 * {@link Posture} the builder was given, which has no default (as for {@code DependencyCheck}): {@code FAIL_OPEN}
 * grants (availability first: every instance is then unlimited), {@code FAIL_CLOSED} refuses with a retry-after of
 * {@value #UNAVAILABLE_RETRY_AFTER_MILLIS} ms (protection first: an outage of Redis is an outage of the operation).
 * {@link #unavailableAnswers()} counts those answers. Give the connection
 * {@code ClientOptions.disconnectedBehavior(REJECT_COMMANDS)} so that a lost connection answers at once rather than
 * after the timeout.
 *
 * <p>{@link #limit()} is the capacity; {@link #window()} the time an empty bucket takes to refill completely. The
 * refill interval is rounded up to a whole microsecond, so the enforced rate never exceeds the configured one.
 * Thread-safe.
 */
public final class RedisRateLimiter implements RateLimiter {

  /** The default {@link Builder#keyPrefix}. */
  public static final String DEFAULT_KEY_PREFIX = "blastwall:rate:";

  /** The default {@link Builder#commandTimeout}, in milliseconds: a limiter sits on every request's path. */
  public static final long DEFAULT_COMMAND_TIMEOUT_MILLIS = 200;

  /** The retry-after of a refusal because Redis could not answer ({@code FAIL_CLOSED}), in milliseconds. */
  public static final long UNAVAILABLE_RETRY_AFTER_MILLIS = 1_000;

  private static final int MAX_NAME_LENGTH = 256;
  private static final int MAX_PREFIX_LENGTH = 64;

  /** About 73 years, as core's limiters; in microseconds it stays far below 2^53, exact in Lua's doubles. */
  private static final long MAX_MICROS = (1L << 61) / 1_000;

  /**
   * KEYS[1] the bucket; ARGV interval us, capacity, permits (0: only read), max wait us. The bucket is the moment it
   * is full again ("full"); debt = full - now is the refill still owed, and a permit costs one interval of it.
   * Answers {granted 1 or 0, wait or retry-after us}, or for a read {us until one permit, permits available now}.
   */
  private static final LuaScript ACQUIRE = new LuaScript("""
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
      local interval = tonumber(ARGV[1])
      local burst = interval * tonumber(ARGV[2])
      local permits = tonumber(ARGV[3])
      local debt = math.max(0, tonumber(redis.call('GET', KEYS[1]) or 0) - now)
      if permits == 0 then
        return {math.max(0, debt + interval - burst), math.floor(math.max(0, burst - debt) / interval)}
      end
      local cost = permits * interval
      local wait = math.max(0, debt + cost - burst)
      if wait > tonumber(ARGV[4]) then return {0, wait} end
      redis.call('SET', KEYS[1], string.format('%.0f', now + debt + cost), 'PX', math.ceil((debt + cost) / 1000) + 1)
      return {1, wait}
      """);

  private final RedisScriptingAsyncCommands<byte[], byte[]> redis;
  private final String name;
  private final byte[][] keys;
  private final int capacity;
  private final int refillPermits;
  private final Duration refillPeriod;
  private final long intervalMicros;
  private final Posture whenUnavailable;
  private final Duration commandTimeout;
  private final AtomicLong unavailableAnswers = new AtomicLong();

  private RedisRateLimiter(Builder builder, Posture whenUnavailable) {
    this.redis = builder.redis;
    this.name = builder.name;
    this.keys = new byte[][] {(builder.keyPrefix + builder.name).getBytes(StandardCharsets.UTF_8)};
    this.capacity = builder.capacity;
    this.refillPermits = builder.refillPermits;
    this.refillPeriod = builder.refillPeriod;
    this.intervalMicros = builder.intervalMicros;
    this.whenUnavailable = whenUnavailable;
    this.commandTimeout = builder.commandTimeout;
  }

  /**
   * A builder for the bucket {@code name} (1 to 256 visible ASCII characters; every instance with the same Redis,
   * prefix and name shares it) of {@code capacity} permits refilled at {@code refillPermits} per
   * {@code refillPeriod}, on {@code redis}: the {@code async()} commands of a Lettuce connection with the byte-array
   * codec. Set {@link Builder#whenUnavailable} before building.
   */
  public static Builder builder(RedisScriptingAsyncCommands<byte[], byte[]> redis, String name, int capacity,
      int refillPermits, Duration refillPeriod) {
    return new Builder(redis, name, capacity, refillPermits, refillPeriod);
  }

  @Override
  public long tryAcquire(int permits, long maxWaitNanos) {
    if (permits < 1 || permits > capacity) {
      throw Checks.invalidArgument("permits", permits, "1 <= permits <= " + capacity);
    }
    long maxWaitMicros = Math.min(Checks.checkAtLeast("maxWaitNanos", maxWaitNanos, 0) / 1_000, MAX_MICROS);
    long[] answer = run(permits, maxWaitMicros);
    if (answer == null) {
      return whenUnavailable == Posture.FAIL_OPEN ? 0
          : RateLimiter.refusal(Duration.ofMillis(UNAVAILABLE_RETRY_AFTER_MILLIS).toNanos());
    }
    long nanos = answer[1] * 1_000;
    return answer[0] == 1 ? nanos : RateLimiter.refusal(nanos);
  }

  @Override
  public long nanosUntilNextPermit() {
    long[] state = run(0, 0);
    if (state == null) {
      return whenUnavailable == Posture.FAIL_OPEN ? 0 : Duration.ofMillis(UNAVAILABLE_RETRY_AFTER_MILLIS).toNanos();
    }
    return state[0] * 1_000;
  }

  @Override
  public long availablePermits() {
    long[] state = run(0, 0);
    if (state == null) {
      return whenUnavailable == Posture.FAIL_OPEN ? capacity : 0;
    }
    return state[1];
  }

  /** The capacity: the largest burst, shared by every instance. */
  @Override
  public long limit() {
    return capacity;
  }

  /** The time an empty bucket takes to refill to {@link #limit()}: {@code capacity} refill intervals. */
  @Override
  public Duration window() {
    return Duration.ofNanos(capacity * intervalMicros * 1_000);
  }

  /** How many answers came from the {@link Posture} because Redis could not answer. */
  public long unavailableAnswers() {
    return unavailableAnswers.get();
  }

  /** The answer pair of the script, or null (counted) when Redis could not answer. */
  private long @Nullable [] run(int permits, long maxWaitMicros) {
    try {
      List<?> reply = ACQUIRE.list(redis, commandTimeout, keys, ascii(intervalMicros), ascii(capacity),
          ascii(permits), ascii(maxWaitMicros));
      if (reply.size() == 2 && reply.get(0) instanceof Long first && reply.get(1) instanceof Long second) {
        return new long[] {first, second};
      }
      throw new RedisUnavailableException("unexpected reply from Redis with " + reply.size()
          + " elements (expected: the rate limit script's two integers)");
    } catch (RedisUnavailableException e) {
      unavailableAnswers.incrementAndGet();
      return null;
    }
  }

  private static byte[] ascii(long value) {
    return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public String toString() {
    return "RedisRateLimiter[" + Untrusted.quote(name) + ", capacity=" + capacity + ", refill=" + refillPermits
        + " per " + refillPeriod + ", whenUnavailable=" + whenUnavailable + "]";
  }

  /** Builds a {@link RedisRateLimiter}. Not thread-safe. */
  public static final class Builder {
    private final RedisScriptingAsyncCommands<byte[], byte[]> redis;
    private final String name;
    private final int capacity;
    private final int refillPermits;
    private final Duration refillPeriod;
    private final long intervalMicros;
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private Duration commandTimeout = Duration.ofMillis(DEFAULT_COMMAND_TIMEOUT_MILLIS);
    private @Nullable Posture whenUnavailable;

    private Builder(RedisScriptingAsyncCommands<byte[], byte[]> redis, String name, int capacity,
        int refillPermits, Duration refillPeriod) {
      this.redis = redis;
      this.name = checkVisibleAscii("name", name, MAX_NAME_LENGTH);
      this.capacity = Checks.checkRange("capacity", capacity, 1, Integer.MAX_VALUE);
      this.refillPermits = Checks.checkRange("refillPermits", refillPermits, 1, Integer.MAX_VALUE);
      this.refillPeriod = Checks.checkRange("refillPeriod", refillPeriod, Duration.ofNanos(1000),
          Duration.ofNanos(1L << 61));
      long periodMicros = refillPeriod.toNanos() / 1_000;
      if (refillPermits > periodMicros) {
        throw Checks.invalidArgument("refillPermits", refillPermits,
            "<= " + periodMicros + " for a period of " + refillPeriod + ": at most one permit per microsecond");
      }
      // Rounded up so the enforced rate never exceeds the configured one.
      long intervalNanos = (refillPeriod.toNanos() + refillPermits - 1) / refillPermits;
      this.intervalMicros = (intervalNanos + 999) / 1_000;
      if (capacity > MAX_MICROS / intervalMicros) {
        throw Checks.invalidArgument("capacity", capacity,
            "a bucket that refills within 73 years at " + refillPermits + " per " + refillPeriod);
      }
    }

    /** The prefix of the bucket's Redis key, 1 to 64 visible ASCII characters; default {@value #DEFAULT_KEY_PREFIX}. */
    public Builder keyPrefix(String prefix) {
      this.keyPrefix = checkVisibleAscii("keyPrefix", prefix, MAX_PREFIX_LENGTH);
      return this;
    }

    /** The longest a decision waits for Redis (1 ms to 10 s) before it is the posture's answer. */
    public Builder commandTimeout(Duration timeout) {
      this.commandTimeout = Checks.checkRange("commandTimeout", timeout, Duration.ofMillis(1), Duration.ofSeconds(10));
      return this;
    }

    /** What a decision answers when Redis cannot: grant ({@code FAIL_OPEN}) or refuse ({@code FAIL_CLOSED}). */
    public Builder whenUnavailable(Posture posture) {
      this.whenUnavailable = posture;
      return this;
    }

    /**
     * The limiter.
     *
     * @throws IllegalStateException if {@link #whenUnavailable} was not set: someone has to choose
     */
    public RedisRateLimiter build() {
      Posture posture = whenUnavailable;
      if (posture == null) {
        throw new IllegalStateException(
            "whenUnavailable: not set (expected: Posture.FAIL_OPEN or Posture.FAIL_CLOSED, for when Redis cannot answer)");
      }
      return new RedisRateLimiter(this, posture);
    }

    private static String checkVisibleAscii(String field, String value, int maxLength) {
      if (value.isEmpty() || value.length() > maxLength || !Checks.isVisibleAscii(value)) {
        throw Checks.invalidArgument(field, Untrusted.quote(value), "1 to " + maxLength + " visible ASCII characters");
      }
      return value;
    }
  }
}
