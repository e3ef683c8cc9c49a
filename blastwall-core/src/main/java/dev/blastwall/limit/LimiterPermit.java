package dev.blastwall.limit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A limiter's {@link Listener}: ends once, whichever thread ends it and however often, and hands the sample of that
 * one end to {@link #release}. Each limiter subclasses it with the bookkeeping of its own counts.
 */
abstract class LimiterPermit implements Listener {
  private static final VarHandle ENDED;

  static {
    try {
      ENDED = MethodHandles.lookup().findVarHandle(LimiterPermit.class, "ended", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** When the request was admitted, on the limiter's ticker. */
  final long startNanos;
  /** Requests in flight right after this one was admitted, itself included. */
  final int inflightAtStart;
  @SuppressWarnings("unused") // accessed through ENDED
  private volatile boolean ended;

  LimiterPermit(long startNanos, int inflightAtStart) {
    this.startNanos = startNanos;
    this.inflightAtStart = inflightAtStart;
  }

  @Override
  public final void onSuccess() {
    end(/* sample= */ true, /* dropped= */ false);
  }

  @Override
  public final void onDropped() {
    end(/* sample= */ true, /* dropped= */ true);
  }

  @Override
  public final void onIgnore() {
    end(/* sample= */ false, /* dropped= */ false);
  }

  /** Gives the place back; called exactly once, by the first end. */
  abstract void release(boolean sample, boolean dropped);

  private void end(boolean sample, boolean dropped) {
    if (ENDED.compareAndSet(this, false, true)) {
      release(sample, dropped);
    }
  }
}
