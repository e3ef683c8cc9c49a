package dev.blastwall.internal;

import org.jspecify.annotations.Nullable;

/**
 * The call context bound to one thread, in a box the thread keeps for good: binding and unbinding a context are
 * then writes of a field, and finding the box is the only thread-local lookup. A lookup costs about as much as all
 * the rest of a guarded call's bookkeeping, and a plain {@code ThreadLocal<CallContext>} needs four per call (read
 * the parent, read and set on attach, set on detach); the pipeline's fast path needs one.
 *
 * <p>The box holds the context as an {@code Object}, so that this package does not depend on
 * {@code dev.blastwall.context}, which depends on it: {@code CallContext} and the pipeline, the only users, cast it
 * back (a type check, nothing allocated). Only a {@code CallContext} is ever bound.
 *
 * <p>Only the owning thread reads or writes the box, so it needs no synchronisation.
 */
public final class ContextBinding {

  private static final ThreadLocal<@Nullable ContextBinding> BINDINGS = new ThreadLocal<>();

  private @Nullable Object context;

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

  /** The context bound now (a {@code CallContext}); {@code null} when none is (the root context). */
  public @Nullable Object get() {
    return context;
  }

  /** Binds {@code newContext} (a {@code CallContext}) and returns the one it replaced, for {@link #restore}. */
  public @Nullable Object bind(Object newContext) {
    Object previous = context;
    context = newContext;
    return previous;
  }

  /** Binds {@code previous} again, the value {@link #bind} returned. */
  public void restore(@Nullable Object previous) {
    context = previous;
  }
}
