package dev.blastwall.testkit;

import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A small property-based test runner: checks a property against many generated samples from a seeded random
 * source, and on failure reports the seed and the failing sample so the case can be replayed exactly.
 *
 * <p>Samples are reproducible: the same seed always generates the same sequence. Generators should mix edge
 * values in (see {@link #edgeOr}) because uniform draws rarely hit the boundaries where bugs live.
 */
public final class PropertyCheck {

  /** The default number of samples per property. */
  public static final int DEFAULT_TRIES = 1000;

  private static final long DEFAULT_SEED = 0x5EEDB1A57L;

  private PropertyCheck() {}

  /** Checks {@code property} against {@link #DEFAULT_TRIES} samples drawn with the default seed. */
  public static <T> void forAll(Function<SplittableRandom, T> generator, Consumer<T> property) {
    forAll(DEFAULT_SEED, DEFAULT_TRIES, generator, property);
  }

  /** Checks {@code property} against {@code tries} samples drawn with {@code seed}. */
  public static <T> void forAll(long seed, int tries, Function<SplittableRandom, T> generator,
      Consumer<T> property) {
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < tries; i++) {
      T sample = generator.apply(random);
      try {
        property.accept(sample);
      } catch (AssertionError | RuntimeException failure) {
        throw new AssertionError("property failed on try " + (i + 1) + " of " + tries + " (seed " + seed
            + ") for sample: " + sample + "\n" + failure.getMessage(), failure);
      }
    }
  }

  /** With probability 1/4 one of {@code edges} (those inside the range), else a uniform draw in {@code [min, max]}. */
  public static long edgeOr(SplittableRandom random, long min, long max, long... edges) {
    if (edges.length > 0 && random.nextInt(4) == 0) {
      long edge = edges[random.nextInt(edges.length)];
      if (edge >= min && edge <= max) {
        return edge;
      }
    }
    if (max == Long.MAX_VALUE) {
      // nextLong's bound is exclusive; the full range needs the unbounded draw.
      return min == Long.MIN_VALUE ? random.nextLong() : random.nextLong(min, max);
    }
    return random.nextLong(min, max + 1);
  }

  /** With probability 1/4 one of {@code edges} (those inside the range), else a uniform draw in {@code [min, max]}. */
  public static int edgeOr(SplittableRandom random, int min, int max, int... edges) {
    if (edges.length > 0 && random.nextInt(4) == 0) {
      int edge = edges[random.nextInt(edges.length)];
      if (edge >= min && edge <= max) {
        return edge;
      }
    }
    return (int) random.nextLong(min, (long) max + 1);
  }
}
