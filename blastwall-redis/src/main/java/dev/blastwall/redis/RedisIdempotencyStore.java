package dev.blastwall.redis;

import dev.blastwall.idempotency.Begin;
import dev.blastwall.idempotency.Fingerprint;
import dev.blastwall.idempotency.IdempotencyKey;
import dev.blastwall.idempotency.IdempotencyStore;
import dev.blastwall.idempotency.IdempotencyStoreException;
import dev.blastwall.idempotency.Lease;
import dev.blastwall.idempotency.StoredResponse;
import dev.blastwall.internal.Checks;
import dev.blastwall.internal.Untrusted;
import dev.blastwall.redis.internal.LuaScript;
import dev.blastwall.redis.internal.RedisUnavailableException;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Idempotency records in Redis, shared by every replica that uses the same Redis, and kept across restarts of the
 * application (and of Redis as far as its persistence is configured: with none, a Redis restart forgets every key).
 *
 * <ul>
 *   <li>{@link #begin}, {@link #complete}, {@link #release} and {@link #renew} are each one Lua script, run atomically by Redis in
 *       one round trip ({@code EVALSHA}; {@code EVAL} with the source once more only after Redis lost its script
 *       cache).
 *   <li>A record is one hash under one key: the fingerprint and the lease token while in progress, the status and
 *       body once completed. Its expiry is a Redis {@code PEXPIRE} set in the same script, so leases and TTLs run on
 *       Redis's clock (replicas with skewed clocks agree) and Redis deletes expired records itself: nothing to purge.
 *   <li>One key per record, so it works on Redis Cluster too (pass a cluster connection's {@code async()}).
 *   <li>Unlike the other stores, a lease that ran out is gone at once: {@link #complete} after it returns false even
 *       when nobody took the key over (set the lease above the deadline, or {@link #renew} it).
 * </ul>
 *
 * <p>Every call waits at most {@link Builder#commandTimeout} for Redis (default {@value #DEFAULT_COMMAND_TIMEOUT_MILLIS}
 * ms); a Redis that is unreachable, slow or answers with an error is an {@link IdempotencyStoreException}, so keyed
 * operations fail closed (the handler does not run). Give the connection
 * {@code ClientOptions.disconnectedBehavior(REJECT_COMMANDS)} to fail at once, rather than after the timeout, while
 * it is disconnected.
 *
 * <p>Thread-safe; Lettuce multiplexes all callers over the one connection.
 */
public final class RedisIdempotencyStore implements IdempotencyStore {

  /** The default {@link Builder#keyPrefix}. */
  public static final String DEFAULT_KEY_PREFIX = "blastwall:idem:";

  /** Largest response body stored by default. */
  public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;

  /** The default {@link Builder#commandTimeout}, in milliseconds. */
  public static final long DEFAULT_COMMAND_TIMEOUT_MILLIS = 1_000;

  private static final int MAX_PREFIX_LENGTH = 64;

  private static final byte[] STARTED = {'S'};
  private static final byte[] REPLAY = {'R'};
  private static final byte[] IN_PROGRESS = {'P'};
  private static final byte[] MISMATCH = {'M'};

  /**
   * KEYS[1] the record; ARGV fingerprint, token, lease ms. Claims a free key (absent, or expired and so deleted by
   * Redis), else answers what the record holds. Fields: f fingerprint, t lease token, s status, b body.
   */
  private static final LuaScript BEGIN = new LuaScript("""
      local r = redis.call('HMGET', KEYS[1], 'f', 's', 'b')
      if not r[1] then
        redis.call('HSET', KEYS[1], 'f', ARGV[1], 't', ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return {'S'}
      end
      if r[1] ~= ARGV[1] then return {'M'} end
      if r[2] then return {'R', r[2], r[3]} end
      return {'P', redis.call('PTTL', KEYS[1])}
      """);

  /** KEYS[1] the record; ARGV token, status, body, TTL ms. Stores the response only for the lease's holder. */
  private static final LuaScript COMPLETE = new LuaScript("""
      if redis.call('HGET', KEYS[1], 't') ~= ARGV[1] then return 0 end
      redis.call('HDEL', KEYS[1], 't')
      redis.call('HSET', KEYS[1], 's', ARGV[2], 'b', ARGV[3])
      redis.call('PEXPIRE', KEYS[1], ARGV[4])
      return 1
      """);

  /** KEYS[1] the record; ARGV token. Deletes the record only for the lease's holder. */
  private static final LuaScript RELEASE = new LuaScript("""
      if redis.call('HGET', KEYS[1], 't') ~= ARGV[1] then return 0 end
      return redis.call('DEL', KEYS[1])
      """);

  /** KEYS[1] the record; ARGV token, lease ms. Extends the lease only for its holder, and only while it holds. */
  private static final LuaScript RENEW = new LuaScript("""
      if redis.call('HGET', KEYS[1], 't') ~= ARGV[1] then return 0 end
      return redis.call('PEXPIRE', KEYS[1], ARGV[2])
      """);

  private final RedisScriptingAsyncCommands<byte[], byte[]> redis;
  private final String keyPrefix;
  private final int maxBodyBytes;
  private final Duration commandTimeout;

  private RedisIdempotencyStore(Builder builder) {
    this.redis = builder.redis;
    this.keyPrefix = builder.keyPrefix;
    this.maxBodyBytes = builder.maxBodyBytes;
    this.commandTimeout = builder.commandTimeout;
  }

  /**
   * A builder for a store on {@code redis}: the {@code async()} commands of a Lettuce connection with the byte-array
   * codec ({@code client.connect(ByteArrayCodec.INSTANCE).async()}), standalone or cluster.
   */
  public static Builder builder(RedisScriptingAsyncCommands<byte[], byte[]> redis) {
    return new Builder(redis);
  }

  @Override
  public Begin begin(IdempotencyKey key, Fingerprint fingerprint, Duration lease) {
    long leaseMillis = millis("lease", lease);
    String token = UUID.randomUUID().toString();
    List<?> reply;
    try {
      reply = BEGIN.list(redis, commandTimeout, keys(key), utf8(fingerprint.value()), utf8(token),
          utf8(Long.toString(leaseMillis)));
    } catch (RedisUnavailableException e) {
      throw failure("begin", e);
    }
    byte[] tag = reply.isEmpty() ? new byte[0] : (byte[]) reply.get(0);
    if (Arrays.equals(tag, STARTED)) {
      return new Begin.Started(new Lease(key, fingerprint, token));
    }
    if (Arrays.equals(tag, MISMATCH)) {
      return new Begin.Mismatch();
    }
    if (Arrays.equals(tag, REPLAY) && reply.size() == 3) {
      int status = Integer.parseInt(new String((byte[]) reply.get(1), StandardCharsets.US_ASCII));
      return new Begin.Replay(StoredResponse.of(status, (byte[]) reply.get(2)));
    }
    if (Arrays.equals(tag, IN_PROGRESS) && reply.size() == 2) {
      // PTTL is -1 only for a key without expiry, which this store never writes; never hint "retry at once".
      return new Begin.InProgress(Duration.ofMillis(Math.max(1, (Long) reply.get(1))));
    }
    throw new IdempotencyStoreException("idempotency store begin failed: unexpected reply from Redis with "
        + reply.size() + " elements (expected: the begin script's answer)");
  }

  @Override
  public boolean complete(Lease lease, StoredResponse response, Duration ttl) {
    long ttlMillis = millis("ttl", ttl);
    if (response.bodyLength() > maxBodyBytes) {
      throw Checks.invalidArgument("response.body", response.bodyLength() + " bytes", "<= " + maxBodyBytes + " bytes");
    }
    try {
      return COMPLETE.integer(redis, commandTimeout, keys(lease.key()), utf8(lease.token()),
          utf8(Integer.toString(response.status())), response.body(), utf8(Long.toString(ttlMillis))) == 1;
    } catch (RedisUnavailableException e) {
      throw failure("complete", e);
    }
  }

  @Override
  public void release(Lease lease) {
    try {
      RELEASE.integer(redis, commandTimeout, keys(lease.key()), utf8(lease.token()));
    } catch (RedisUnavailableException e) {
      throw failure("release", e);
    }
  }

  /** An expired lease's record is already deleted by Redis, so it cannot be renewed: false. */
  @Override
  public boolean renew(Lease lease, Duration duration) {
    long leaseMillis = millis("lease", duration);
    try {
      return RENEW.integer(redis, commandTimeout, keys(lease.key()), utf8(lease.token()),
          utf8(Long.toString(leaseMillis))) == 1;
    } catch (RedisUnavailableException e) {
      throw failure("renew", e);
    }
  }

  /** The prefix of every Redis key this store writes. */
  public String keyPrefix() {
    return keyPrefix;
  }

  /**
   * The Redis key of {@code key}'s record: the prefix, then tenant, operation and key each preceded by its length, so
   * that no choice of visible-ASCII parts can make two scopes share a record.
   */
  public String redisKey(IdempotencyKey key) {
    return keyPrefix + key.tenant().length() + ':' + key.tenant() + ':' + key.operation().length() + ':'
        + key.operation() + ':' + key.key();
  }

  private byte[][] keys(IdempotencyKey key) {
    return new byte[][] {utf8(redisKey(key))};
  }

  private static IdempotencyStoreException failure(String operation, RedisUnavailableException e) {
    return new IdempotencyStoreException("idempotency store " + operation + " failed: " + e.getMessage(), e);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static long millis(String name, Duration duration) {
    return Checks.checkRange(name, duration, Duration.ofMillis(1), MAX_DURATION).toMillis();
  }

  /** Options for a {@link RedisIdempotencyStore}. */
  public static final class Builder {
    private final RedisScriptingAsyncCommands<byte[], byte[]> redis;
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private Duration commandTimeout = Duration.ofMillis(DEFAULT_COMMAND_TIMEOUT_MILLIS);

    private Builder(RedisScriptingAsyncCommands<byte[], byte[]> redis) {
      this.redis = redis;
    }

    /** The prefix of the store's Redis keys, 1 to 64 visible ASCII characters; default {@value #DEFAULT_KEY_PREFIX}. */
    public Builder keyPrefix(String prefix) {
      if (prefix.isEmpty() || prefix.length() > MAX_PREFIX_LENGTH || !Checks.isVisibleAscii(prefix)) {
        throw Checks.invalidArgument("keyPrefix", Untrusted.quote(prefix),
            "1 to " + MAX_PREFIX_LENGTH + " visible ASCII characters");
      }
      this.keyPrefix = prefix;
      return this;
    }

    /** Largest response body stored (0 to 64 MiB); a larger one is refused by {@code complete}. */
    public Builder maxBodyBytes(int maxBodyBytes) {
      this.maxBodyBytes = Checks.checkRange("maxBodyBytes", maxBodyBytes, 0, 64 << 20);
      return this;
    }

    /**
     * The longest a call waits for Redis (1 ms to 1 min): keep it well under the keyed operation's deadline, since a
     * keyed request makes two calls (begin, then complete or release).
     */
    public Builder commandTimeout(Duration timeout) {
      this.commandTimeout = Checks.checkRange("commandTimeout", timeout, Duration.ofMillis(1), Duration.ofMinutes(1));
      return this;
    }

    public RedisIdempotencyStore build() {
      return new RedisIdempotencyStore(this);
    }
  }
}
