package dev.blastwall.lab.run;

import dev.blastwall.time.RandomSource;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A thread-safe {@link RandomSource} that follows from a seed (SplitMix64 over one atomic counter), for the fault
 * proxies' toxicity draws and jitter: a run's network faults then come from its seed like everything else. With
 * several connections drawing at once the order of draws, and so which connection gets which, still depends on
 * timing; the sequence of values does not.
 */
final class SeededRandom implements RandomSource {

  private static final long GAMMA = 0x9E3779B97F4A7C15L;

  private final AtomicLong state;

  SeededRandom(long seed) {
    this.state = new AtomicLong(seed);
  }

  @Override
  public double nextDouble() {
    long z = state.addAndGet(GAMMA);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z ^= z >>> 31;
    return (z >>> 11) * 0x1.0p-53;
  }
}
