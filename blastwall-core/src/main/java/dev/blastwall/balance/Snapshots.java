package dev.blastwall.balance;

import dev.blastwall.internal.Checks;
import dev.blastwall.time.RandomSource;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Helpers shared by the selectors: snapshot copies and random draws. */
final class Snapshots {

  private Snapshots() {}

  /** An immutable copy of {@code endpoints}, checked for duplicate ids. */
  static List<Endpoint> copyOf(List<Endpoint> endpoints) {
    List<Endpoint> copy = List.copyOf(endpoints);
    Set<String> ids = new HashSet<>();
    for (Endpoint endpoint : copy) {
      if (!ids.add(endpoint.id())) {
        // Two entries for one backend would double its share under some policies and not others: refuse it.
        throw Checks.invalidArgument("endpoints", endpoint.id() + " twice", "distinct ids");
      }
    }
    return copy;
  }

  /** A uniform index in {@code [0, bound)}; {@code bound >= 1}. */
  static int index(RandomSource random, int bound) {
    // nextDouble() < 1, but the product can still round up to bound for large bounds.
    return Math.min((int) (random.nextDouble() * bound), bound - 1);
  }

  /** A uniform index in {@code [0, bound)} other than {@code excluded}; {@code bound >= 2}. */
  static int indexOtherThan(RandomSource random, int bound, int excluded) {
    int other = index(random, bound - 1);
    return other >= excluded ? other + 1 : other;
  }
}
