package dev.blastwall.limit;

import dev.blastwall.context.CallContext;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.internal.Checks;
import dev.blastwall.server.Admission;
import dev.blastwall.time.Ticker;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Admits requests while fewer than {@link Limit#limit()} are in flight, and feeds each one's outcome back to that
 * {@link Limit} so an adaptive limit can learn the upstream's capacity.
 *
 * <pre>{@code
 * ConcurrencyLimiter limiter = ConcurrencyLimiter.builder("inventory", VegasLimit.builder().build()).build();
 * Listener listener = limiter.acquire();          // throws OverloadedException when at the limit
 * try {
 *   Stock stock = client.lookup(id);
 *   listener.onSuccess();
 *   return stock;
 * } catch (TimeoutException e) {
 *   listener.onDropped();
 *   throw e;
 * } finally {
 *   listener.onIgnore();                          // no-op after onSuccess/onDropped
 * }
 * }</pre>
 *
 * <p>A sample is {@code (admission time, rtt, in flight at admission (itself included), dropped)}, timed with the
 * injected {@link Ticker}. The limit is read afresh on every admission; when it falls below the requests already
 * in flight, new requests are refused until enough of those finish: nothing in flight is ever cut short.
 *
 * <p>Thread-safe and lock-free: admission is a compare-and-set on the in-flight count; the thread that ends a
 * request feeds its sample to the (thread-safe) {@link Limit} itself.
 *
 * <p>As an {@link Admission} (for a {@code ServerCallGuard}) it admits every call alike, whatever its context.
 */
public final class ConcurrencyLimiter implements Admission {

  private final String name;
  private final Ticker ticker;
  private final Limit limit;
  private final AtomicInteger inflight = new AtomicInteger();

  private ConcurrencyLimiter(Builder builder) {
    this.name = builder.name;
    this.ticker = builder.ticker != null ? builder.ticker : Ticker.system();
    this.limit = builder.limit;
  }

  /**
   * A builder for a limiter called {@code name} (the service named in its refusals) enforcing {@code limit}. Give
   * each limiter its own limit: a limit learns from the samples of the limiter that feeds it.
   */
  public static Builder builder(String name, Limit limit) {
    return new Builder(name, limit);
  }

  /** The name given to the builder. */
  public String name() {
    return name;
  }

  /** The limit algorithm fed by this limiter. */
  public Limit algorithm() {
    return limit;
  }

  /**
   * Admits a request if fewer than the limit are in flight.
   *
   * @return the request's listener, one of whose methods must be called when it ends; {@code null} if refused
   */
  public @Nullable Listener tryAcquire() {
    int max = currentLimit();
    int current;
    do {
      current = inflight.get();
      if (current >= max) {
        return null;
      }
    } while (!inflight.compareAndSet(current, current + 1));
    return new Permit(ticker.nanos(), current + 1);
  }

  /**
   * Admits a request or refuses it with the numbers seen at that moment.
   *
   * @throws OverloadedException policy {@code concurrency-limit}, reason {@code limit}, detail like
   *     {@code "50 of 50 in flight"}, if the limit is reached
   */
  public Listener acquire() {
    Listener listener = tryAcquire();
    if (listener == null) {
      throw rejection();
    }
    return listener;
  }

  /** {@link #tryAcquire()}: every call is admitted alike. */
  @Override
  public @Nullable Listener tryAdmit(CallContext context) {
    return tryAcquire();
  }

  /** {@link #rejection()}. */
  @Override
  public OverloadedException rejection(CallContext context) {
    return rejection();
  }

  /** The refusal for a request turned away now: policy {@code concurrency-limit}, reason {@code limit}. */
  public OverloadedException rejection() {
    return new OverloadedException(name, "concurrency-limit", inflight.get() + " of " + currentLimit() + " in flight",
        -1, "limit");
  }

  /** The current limit. */
  public int limit() {
    return currentLimit();
  }

  /** Requests admitted and not yet ended. */
  public int inflight() {
    return inflight.get();
  }

  /** The limit and the requests in flight, each read once (so possibly from slightly different moments). */
  public Snapshot snapshot() {
    return new Snapshot(currentLimit(), inflight.get());
  }

  /** The limit, read afresh; at least 1 whatever a custom limit returns. */
  private int currentLimit() {
    return Math.max(1, limit.limit());
  }

  @Override
  public String toString() {
    return "ConcurrencyLimiter[" + name + ", " + inflight.get() + " of " + currentLimit() + " in flight]";
  }

  /**
   * A point-in-time view.
   *
   * @param limit the limit
   * @param inflight requests in flight, which may exceed the limit right after it fell
   */
  public record Snapshot(int limit, int inflight) {}

  private void release(long startNanos, int inflightAtStart, boolean sample, boolean dropped) {
    inflight.decrementAndGet();
    if (sample) {
      limit.onSample(startNanos, ticker.nanos() - startNanos, inflightAtStart, dropped);
    }
  }

  /** This limiter's listener: gives back its place in the count it was admitted to. */
  private final class Permit extends LimiterPermit {
    Permit(long startNanos, int inflightAtStart) {
      super(startNanos, inflightAtStart);
    }

    @Override
    protected void release(boolean sample, boolean dropped) {
      ConcurrencyLimiter.this.release(startNanos, inflightAtStart, sample, dropped);
    }
  }

  /** Configures a {@link ConcurrencyLimiter}. Not thread-safe; each option may be set once. */
  public static final class Builder {
    private final String name;
    private final Limit limit;
    private @Nullable Ticker ticker;

    private Builder(String name, Limit limit) {
      if (name.isBlank()) {
        throw Checks.invalidArgument("name", "\"" + name + "\"", "a non-blank name");
      }
      this.name = name;
      this.limit = limit;
    }

    /** The time source for rtts; default {@link Ticker#system()}. */
    public Builder ticker(Ticker value) {
      Checks.checkNotSet("ticker", ticker != null);
      ticker = value;
      return this;
    }

    /** A new limiter with nothing in flight. */
    public ConcurrencyLimiter build() {
      return new ConcurrencyLimiter(this);
    }
  }
}
