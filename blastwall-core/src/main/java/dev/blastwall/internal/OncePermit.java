package dev.blastwall.internal;

import dev.blastwall.server.Permit;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A {@link Permit} that ends once, whichever thread ends it and however often, and hands that one end to
 * {@link #release}: the release-once rule written once for every admission Blastwall implements.
 */
public abstract class OncePermit implements Permit {
  private static final VarHandle ENDED;

  static {
    try {
      ENDED = MethodHandles.lookup().findVarHandle(OncePermit.class, "ended", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unused") // accessed through ENDED
  private volatile boolean ended;

  protected OncePermit() {}

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

  /**
   * Gives the place back; called exactly once, by the first end.
   *
   * @param sample whether the end says something about load ({@code onSuccess} or {@code onDropped})
   * @param dropped whether it was {@code onDropped}
   */
  protected abstract void release(boolean sample, boolean dropped);

  private void end(boolean sample, boolean dropped) {
    if (ENDED.compareAndSet(this, false, true)) {
      release(sample, dropped);
    }
  }
}
