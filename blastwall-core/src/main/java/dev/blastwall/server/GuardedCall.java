package dev.blastwall.server;

import dev.blastwall.failure.OverloadedException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link ServerCallGuard} decided about one call: admitted, refused as expired on arrival, or refused by
 * admission. Ending it passes the first end on to the admission's permit and ignores every later one, whichever
 * thread ends it; ending a refused call does nothing. Thread-safe.
 */
public final class GuardedCall implements Permit {

  static final GuardedCall EXPIRED = new GuardedCall(null, null);

  private static final VarHandle PERMIT;

  static {
    try {
      PERMIT = MethodHandles.lookup().findVarHandle(GuardedCall.class, "permit", Permit.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final boolean admitted;
  private final @Nullable OverloadedException refusal;
  // The admission's permit until the first end takes it; null once ended, or when never admitted.
  @SuppressWarnings("unused") // accessed through PERMIT
  private volatile @Nullable Permit permit;

  private GuardedCall(@Nullable Permit permit, @Nullable OverloadedException refusal) {
    this.admitted = permit != null;
    this.permit = permit;
    this.refusal = refusal;
  }

  static GuardedCall admitted(Permit permit) {
    return new GuardedCall(permit, null);
  }

  static GuardedCall refused(OverloadedException refusal) {
    return new GuardedCall(null, refusal);
  }

  /** Whether the call may run. */
  public boolean admitted() {
    return admitted;
  }

  /** Whether the call was refused because its deadline had passed when it arrived; admission was not asked. */
  public boolean expired() {
    return !admitted && refusal == null;
  }

  /** Why admission refused the call, or {@code null} if it was admitted or had expired. */
  public @Nullable OverloadedException refusal() {
    return refusal;
  }

  /** Whether an end method was called on an admitted call (so its permit was released). */
  public boolean ended() {
    return admitted && PERMIT.getVolatile(this) == null;
  }

  @Override
  public void onSuccess() {
    Permit held = take();
    if (held != null) {
      held.onSuccess();
    }
  }

  @Override
  public void onDropped() {
    Permit held = take();
    if (held != null) {
      held.onDropped();
    }
  }

  @Override
  public void onIgnore() {
    Permit held = take();
    if (held != null) {
      held.onIgnore();
    }
  }

  /** The permit for the one caller that ends the call first; {@code null} for every other. */
  private @Nullable Permit take() {
    return (Permit) PERMIT.getAndSet(this, (Permit) null);
  }

  @Override
  public String toString() {
    return admitted ? (ended() ? "GuardedCall[admitted, ended]" : "GuardedCall[admitted]")
        : expired() ? "GuardedCall[expired on arrival]" : "GuardedCall[refused: " + refusal + "]";
  }
}
