package dev.blastwall.bulkhead;

import dev.blastwall.time.Ticker;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition another thread brings about (a waiter has queued, a cancelled task has stopped). Spins
 * instead of sleeping, and fails after a generous real-time bound so a bug hangs no build.
 */
final class Eventually {

  static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

  private Eventually() {}

  static void await(String what, BooleanSupplier condition) {
    Ticker real = Ticker.system();
    long start = real.nanos();
    while (!condition.getAsBoolean()) {
      if (real.nanos() - start > TIMEOUT_NANOS) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.onSpinWait();
    }
  }
}
