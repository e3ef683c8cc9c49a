package dev.blastwall.internal;

import dev.blastwall.context.CallContext;
import org.jspecify.annotations.Nullable;

/**
 * The call context bound to one thread, in a box the thread keeps for good: binding and unbinding a context are
 * then writes of a field, and finding the box is the only thread-local lookup. A lookup costs about as much as all
 * the rest of a guarded call's bookkeeping, and a plain {@code ThreadLocal<CallContext>} needs four per call (read
 * the parent, read and set on attach, set on detach); the pipeline's fast path needs one.
 *
 * <p>Only the owning thread reads or writes {@link #context}, so it needs no synchronisation.
 */
public final class ContextBinding {

  private static final ThreadLocal<@Nullable ContextBinding> BINDINGS = new ThreadLocal<>();

  /** The context bound now; {@code null} when none is (the root context). */
  public @Nullable CallContext context;

  private ContextBinding() {}

  /** This thread's box, or {@code null} if nothing was ever bound on it. */
  public static @Nullable ContextBinding ofThisThread() {
    return BINDINGS.get();
  }

  /** This thread's box, created on first use. */
  public static ContextBinding forThisThread() {
    ContextBinding binding = BINDINGS.get();
    if (binding == null) {
      binding = new ContextBinding();
      BINDINGS.set(binding);
    }
    return binding;
  }
}
