package dev.blastwall.balance;

import dev.blastwall.time.RandomSource;
import java.util.concurrent.atomic.AtomicLong;

/** A reproducible, thread-safe random source for tests: splitmix64 over an atomic counter. */
final class SeededRandom implements RandomSource {

  private final AtomicLong state;

  SeededRandom(long seed) {
    this.state = new AtomicLong(seed);
  }

  @Override
  public double nextDouble() {
    long z = state.addAndGet(0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z ^= z >>> 31;
    return (z >>> 11) * 0x1.0p-53;
  }
}
