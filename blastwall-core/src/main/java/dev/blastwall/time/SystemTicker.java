package dev.blastwall.time;

/** The one ticker in core that reads the real clock. */
enum SystemTicker implements Ticker {
  INSTANCE;

  @Override
  public long nanos() {
    return System.nanoTime();
  }
}
