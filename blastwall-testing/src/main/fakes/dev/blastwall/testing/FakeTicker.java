package dev.blastwall.testing;

import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Ticker} that moves only when told to.
 *
 * <pre>{@code
 * FakeTicker ticker = new FakeTicker();
 * Deadline deadline = Deadline.after(Duration.ofMillis(300), ticker);
 * ticker.advance(Duration.ofMillis(100));
 * assertThat(deadline.remaining()).isEqualTo(Duration.ofMillis(200));
 * }</pre>
 *
 * <p>Thread-safe. To also run scheduled tasks as time passes, advance a {@link FakeScheduler} instead.
 */
public final class FakeTicker implements Ticker {

  private final AtomicLong nanos;

  /** A ticker reading zero. */
  public FakeTicker() {
    this(0);
  }

  /**
   * A ticker starting at {@code startNanos}. Start near {@code Long.MAX_VALUE} to prove code under test copes with
   * {@code nanoTime} wrapping around, as the real one may.
   */
  public FakeTicker(long startNanos) {
    this.nanos = new AtomicLong(startNanos);
  }

  @Override
  public long nanos() {
    return nanos.get();
  }

  /** Moves time forward by {@code duration}. */
  public FakeTicker advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException(
          "duration: " + duration + " (expected: >= 0, time only moves forward)");
    }
    return advanceNanos(FakeScheduler.saturatedNanos(duration));
  }

  /** Moves time forward by {@code deltaNanos}, which must not be negative (a monotonic clock never goes back). */
  public FakeTicker advanceNanos(long deltaNanos) {
    nonNegative("deltaNanos", deltaNanos);
    nanos.addAndGet(deltaNanos);
    return this;
  }

  /** Sets the reading to {@code targetNanos}, if that is not in the past (wrap-around aware). */
  void advanceTo(long targetNanos) {
    nanos.accumulateAndGet(targetNanos, (now, target) -> target - now > 0 ? target : now);
  }

  @Override
  public String toString() {
    return "FakeTicker[" + nanos.get() + " ns]";
  }

  private static long nonNegative(String name, long nanos) {
    if (nanos < 0) {
      throw new IllegalArgumentException(name + ": " + nanos + " ns (expected: >= 0, time only moves forward)");
    }
    return nanos;
  }
}
