package dev.blastwall.lab.run;

import dev.blastwall.time.Environment;
import dev.blastwall.time.Ticker;

/**
 * The run's time: one environment, so one ticker for everything (deadlines, events, samples), and when the
 * measured run started.
 */
final class RunClock {

  private static final long NOT_STARTED = Long.MIN_VALUE;

  final Environment environment = Environment.system();
  final Ticker ticker = environment.ticker();
  private volatile long measuredStart = NOT_STARTED;

  void startMeasuring() {
    measuredStart = ticker.nanos();
  }

  /** The ticker reading at the measured start. */
  long measuredStart() {
    return measuredStart;
  }

  /** Seconds from the measured start to {@code tickerNanos}, or -1 before the measured run (warm-up). */
  double secondsSinceStart(long tickerNanos) {
    long start = measuredStart;
    if (start == NOT_STARTED || tickerNanos < start) {
      return -1;
    }
    return (tickerNanos - start) / 1e9;
  }
}
