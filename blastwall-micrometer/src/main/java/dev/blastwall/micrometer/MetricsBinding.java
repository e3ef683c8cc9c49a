package dev.blastwall.micrometer;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What {@link BlastwallMetrics} bound: closing it takes its observers and listeners off the policies and removes
 * its meters from the meter registry, after which the policies cost what they did before. Thread-safe; closing
 * twice does nothing more.
 */
public final class MetricsBinding implements AutoCloseable {

  private final String what;
  private final Runnable unbind;
  private final AtomicBoolean closed = new AtomicBoolean();

  MetricsBinding(String what, Runnable unbind) {
    this.what = what;
    this.unbind = unbind;
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed.get();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      unbind.run();
    }
  }

  @Override
  public String toString() {
    return "MetricsBinding[" + what + (isClosed() ? ", closed]" : "]");
  }
}
