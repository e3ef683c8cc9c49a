package dev.blastwall.breaker;

/**
 * What a window held at one moment: the calls with a verdict, and how many of them failed or were slow.
 * Immutable.
 */
record Counts(int calls, int failures, int slowCalls) {

  static final Counts EMPTY = new Counts(0, 0, 0);

  /** Counts from sums read without one atomic view: clamped so that failures and slow calls never exceed calls. */
  static Counts clamped(long calls, long failures, long slowCalls) {
    int total = (int) Math.min(Math.max(calls, 0), Integer.MAX_VALUE);
    return new Counts(total, (int) Math.min(Math.max(failures, 0), total),
        (int) Math.min(Math.max(slowCalls, 0), total));
  }

  /** Failed calls as a percentage of all calls; 0 when there were none. */
  double failureRate() {
    return calls == 0 ? 0 : failures * 100.0 / calls;
  }

  /** Slow calls as a percentage of all calls; 0 when there were none. */
  double slowCallRate() {
    return calls == 0 ? 0 : slowCalls * 100.0 / calls;
  }
}
