package dev.blastwall.internal;

import java.util.Collection;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The known name nearest to a mistyped one, for messages about unknown keys: {@code pol_ms} gets
 * {@code did you mean poll_ms?}. Names are compared ignoring case, by edit distance counting a swap of two
 * neighbouring characters as one edit (the usual typos: a letter missing, extra, wrong or swapped).
 */
public final class Suggestions {

  private Suggestions() {}

  /**
   * The name in {@code known} nearest to {@code given}, or {@code null} when none is close: within 2 edits, or a
   * third of the given name's length for longer names. Ties go to the name listed first.
   */
  public static @Nullable String nearest(String given, Collection<String> known) {
    String lower = given.toLowerCase(Locale.ROOT);
    int allowed = Math.max(2, given.length() / 3);
    @Nullable String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String name : known) {
      // No edits can bridge a larger difference in length; this also keeps a huge given name cheap.
      if (Math.abs(name.length() - given.length()) > allowed) {
        continue;
      }
      int distance = distance(lower, name.toLowerCase(Locale.ROOT));
      if (distance <= allowed && distance < bestDistance) {
        best = name;
        bestDistance = distance;
      }
    }
    return best;
  }

  /**
   * What an unknown key should have been, for the {@code expected} part of a {@link Checks} message:
   * {@code one of interval, baseEjectionTime; did you mean interval?}, the question only when one is close.
   */
  public static String oneOf(String given, Collection<String> known) {
    String nearest = nearest(given, known);
    return "one of " + String.join(", ", known) + (nearest == null ? "" : "; did you mean " + nearest + "?");
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
  static int distance(String a, String b) {
    int[] twoBack = new int[b.length() + 1];
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int best = Math.min(Math.min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          best = Math.min(best, twoBack[j - 2] + 1);
        }
        current[j] = best;
      }
      int[] recycled = twoBack;
      twoBack = previous;
      previous = current;
      current = recycled;
    }
    return previous[b.length()];
  }
}
