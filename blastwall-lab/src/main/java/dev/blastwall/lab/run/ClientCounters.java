package dev.blastwall.lab.run;

import dev.blastwall.breaker.CircuitBreaker;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/** What one service's clients (one per upstream) did: retries and hedges sent, and their breakers. */
final class ClientCounters {

  final LongAdder retries = new LongAdder();
  final LongAdder hedges = new LongAdder();
  private final List<CircuitBreaker> breakers = new CopyOnWriteArrayList<>();

  void add(CircuitBreaker breaker) {
    breakers.add(breaker);
  }

  /** Breakers not letting calls through freely now: open, half-open or forced open. */
  int openBreakers() {
    int open = 0;
    for (CircuitBreaker breaker : breakers) {
      switch (breaker.state()) {
        case OPEN, HALF_OPEN, FORCED_OPEN -> open++;
        case CLOSED, FORCED_CLOSED, DISABLED -> { }
      }
    }
    return open;
  }
}
