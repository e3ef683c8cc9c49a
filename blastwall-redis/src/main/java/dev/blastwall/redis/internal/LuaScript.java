package dev.blastwall.redis.internal;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One Lua script, run atomically by Redis in one round trip: {@code EVALSHA} by its SHA-1 digest, and only when Redis
 * answers {@code NOSCRIPT} (after a restart, a failover or {@code SCRIPT FLUSH}) once more with {@code EVAL} and the
 * full source, which also caches it again.
 *
 * <p>Every wait for Redis is bounded by the timeout given to {@link #run}, whatever the connection's own settings:
 * a Redis that does not answer is a {@link RedisUnavailableException}, never a hang.
 */
public final class LuaScript {

  private final String source;
  private final String digest;

  public LuaScript(String source) {
    this.source = source;
    this.digest = sha1Hex(source);
  }

  /**
   * Runs a script that returns an array, waiting at most {@code timeout} for each of the (at most two) commands.
   * Bulk strings come back as {@code byte[]}, integers as {@code Long}.
   *
   * @throws RedisUnavailableException if Redis cannot be reached, times out or answers with an error
   */
  public List<?> list(RedisScriptingAsyncCommands<byte[], byte[]> redis, Duration timeout, byte[][] keys,
      byte[]... args) {
    return (List<?>) run(redis, ScriptOutputType.MULTI, timeout, keys, args);
  }

  /** Like {@link #list} for a script that returns an integer. */
  public long integer(RedisScriptingAsyncCommands<byte[], byte[]> redis, Duration timeout, byte[][] keys,
      byte[]... args) {
    return (Long) run(redis, ScriptOutputType.INTEGER, timeout, keys, args);
  }

  private Object run(RedisScriptingAsyncCommands<byte[], byte[]> redis, ScriptOutputType type, Duration timeout,
      byte[][] keys, byte[]... args) {
    try {
      return await(redis.<Object>evalsha(digest, type, keys, args), timeout);
    } catch (NoScript e) {
      try {
        return await(redis.<Object>eval(source, type, keys, args), timeout);
      } catch (NoScript impossible) {
        throw new RedisUnavailableException("Redis refused the script source: NOSCRIPT after EVAL", impossible);
      }
    }
  }

  /** The digest Redis caches the script under. */
  public String digest() {
    return digest;
  }

  private static Object await(RedisFuture<Object> reply, Duration timeout) throws NoScript {
    try {
      return reply.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      reply.cancel(false); // the command may still run in Redis; the caller treats the outcome as unknown
      throw new RedisUnavailableException("no answer from Redis within " + timeout.toMillis() + " ms", e);
    } catch (InterruptedException e) {
      reply.cancel(false);
      Thread.currentThread().interrupt();
      throw new RedisUnavailableException("interrupted while waiting for Redis", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      if (cause instanceof RedisNoScriptException) {
        throw new NoScript(cause);
      }
      throw new RedisUnavailableException("Redis failed: " + cause.getClass().getSimpleName() + ": "
          + cause.getMessage(), cause);
    }
  }

  private static String sha1Hex(String text) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      return HexFormat.of().formatHex(sha1.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException("SHA-1 is required of every Java platform", impossible);
    }
  }

  /** Redis does not have the script cached: run it again from source. */
  private static final class NoScript extends Exception {
    private static final long serialVersionUID = 1L;

    NoScript(Throwable cause) {
      super(cause);
    }
  }
}
