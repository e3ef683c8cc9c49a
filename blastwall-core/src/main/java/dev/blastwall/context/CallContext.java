package dev.blastwall.context;

import dev.blastwall.deadline.Deadline;
import dev.blastwall.internal.Checks;
import dev.blastwall.internal.ContextBinding;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import org.jspecify.annotations.Nullable;

/**
 * What travels with one call across threads and hops: its deadline, criticality, idempotency, which attempt this
 * is, whether the layer below said "do not retry", a cancellation signal, and a little typed baggage.
 *
 * <p>Contexts are immutable; the {@code with...} methods return changed copies. The <em>current</em> context is
 * bound to a thread only for the extent of {@link #run}/{@link #call}, and the previous one is restored after, so
 * a context never leaks to unrelated work that later runs on the same (pooled or virtual) thread. Work handed to
 * another thread keeps the context only through {@link #wrap(Executor)} and friends.
 *
 * <p>A nested call inherits its parent's context: its deadline can only get tighter ({@link #withDeadline} keeps
 * the earlier one), and cancelling the parent cancels it.
 */
public final class CallContext {

  /** The context of code that runs outside any call: no deadline, CRITICAL, not idempotent, never cancelled. */
  public static final CallContext ROOT = new CallContext(null, Criticality.CRITICAL, Idempotency.NON_IDEMPOTENT,
      1, AttemptKind.ORIGINAL, false, Cancellation.NEVER, new Object[0]);

  /** Bigger than any real use; baggage is for a few ids, not a data channel. */
  public static final int MAX_BAGGAGE_ENTRIES = 16;


  private final @Nullable Deadline deadline;
  private final Criticality criticality;
  private final Idempotency idempotency;
  private final int attempt;
  private final AttemptKind attemptKind;
  private final boolean doNotRetry;
  private final Cancellation cancellation;
  // Alternating key, value pairs: tiny, copied on write, scanned linearly.
  private final Object[] baggage;

  private CallContext(@Nullable Deadline deadline, Criticality criticality, Idempotency idempotency, int attempt,
      AttemptKind attemptKind, boolean doNotRetry, Cancellation cancellation, Object[] baggage) {
    this.deadline = deadline;
    this.criticality = criticality;
    this.idempotency = idempotency;
    this.attempt = attempt;
    this.attemptKind = attemptKind;
    this.doNotRetry = doNotRetry;
    this.cancellation = cancellation;
    this.baggage = baggage;
  }

  /** The context bound to this thread, or {@link #ROOT} outside any call. */
  public static CallContext current() {
    ContextBinding binding = ContextBinding.ofThisThread();
    Object current = binding != null ? binding.get() : null;
    return current != null ? (CallContext) current : ROOT;
  }

  // --- values -------------------------------------------------------------------------------------------------

  /** The deadline by which the whole call must be done, or {@code null} if it has none. */
  public @Nullable Deadline deadline() {
    return deadline;
  }

  public Criticality criticality() {
    return criticality;
  }

  public Idempotency idempotency() {
    return idempotency;
  }

  /** The attempt number within the logical call: 1 for the first, 2 for the first retry or hedge, and so on. */
  public int attempt() {
    return attempt;
  }

  public AttemptKind attemptKind() {
    return attemptKind;
  }

  /** Whether this attempt repeats an earlier one (a retry or a hedge), which servers may log or deduplicate. */
  public boolean isRepeat() {
    return attemptKind != AttemptKind.ORIGINAL;
  }

  /**
   * Whether a layer below answered "overloaded; do not retry" or the caller asked that nothing under it retries.
   * Pipelines running in such a context make one attempt only, so only one layer of a stack ever retries.
   */
  public boolean doNotRetry() {
    return doNotRetry;
  }

  public Cancellation cancellation() {
    return cancellation;
  }

  /** Whether the caller gave up on this call: cancelled, or past its deadline. */
  public boolean isCancelled() {
    return cancellation.isCancelled() || (deadline != null && deadline.isExpired());
  }

  /** The baggage value for {@code key}, or {@code null}. */
  public <T> @Nullable T get(BaggageKey<T> key) {
    for (int i = 0; i < baggage.length; i += 2) {
      if (baggage[i] == key) {
        return key.cast(baggage[i + 1]);
      }
    }
    return null;
  }

  // --- derived contexts ---------------------------------------------------------------------------------------

  /** A copy whose deadline is the earlier of this one's and {@code newDeadline}: a nested call never gets more. */
  public CallContext withDeadline(@Nullable Deadline newDeadline) {
    Deadline tighter = newDeadline == null ? deadline : newDeadline.min(deadline);
    return Objects.equals(tighter, deadline) ? this
        : new CallContext(tighter, criticality, idempotency, attempt, attemptKind, doNotRetry, cancellation, baggage);
  }

  public CallContext withCriticality(Criticality newCriticality) {
    return newCriticality == criticality ? this : new CallContext(deadline, newCriticality, idempotency, attempt,
        attemptKind, doNotRetry, cancellation, baggage);
  }

  public CallContext withIdempotency(Idempotency newIdempotency) {
    return newIdempotency.equals(idempotency) ? this : new CallContext(deadline, criticality, newIdempotency,
        attempt, attemptKind, doNotRetry, cancellation, baggage);
  }

  /** A copy marked so that pipelines under it do not retry. */
  public CallContext withDoNotRetry(boolean newDoNotRetry) {
    return newDoNotRetry == doNotRetry ? this : new CallContext(deadline, criticality, idempotency, attempt,
        attemptKind, newDoNotRetry, cancellation, baggage);
  }

  /** A copy for attempt number {@code attemptNumber} of kind {@code kind}, with its own child cancellation. */
  public CallContext forAttempt(int attemptNumber, AttemptKind kind, Cancellation attemptCancellation) {
    Checks.checkRange("attemptNumber", attemptNumber, 1, Integer.MAX_VALUE);
    return new CallContext(deadline, criticality, idempotency, attemptNumber, kind, doNotRetry,
        attemptCancellation, baggage);
  }

  /** A copy whose cancellation is a child of this one's, for work that may be cancelled on its own. */
  public CallContext withChildCancellation() {
    return new CallContext(deadline, criticality, idempotency, attempt, attemptKind, doNotRetry,
        cancellation.child(), baggage);
  }

  /** A copy with {@code value} under {@code key} (replacing any value there); {@code null} removes it. */
  public <T> CallContext with(BaggageKey<T> key, @Nullable T value) {
    int index = -1;
    for (int i = 0; i < baggage.length; i += 2) {
      if (baggage[i] == key) {
        index = i;
      }
    }
    Object[] copy;
    if (value == null) {
      if (index < 0) {
        return this;
      }
      copy = new Object[baggage.length - 2];
      System.arraycopy(baggage, 0, copy, 0, index);
      System.arraycopy(baggage, index + 2, copy, index, baggage.length - index - 2);
    } else if (index >= 0) {
      copy = baggage.clone();
      copy[index + 1] = value;
    } else {
      if (baggage.length / 2 >= MAX_BAGGAGE_ENTRIES) {
        throw Checks.invalidArgument("baggage entries", baggage.length / 2 + 1, "<= " + MAX_BAGGAGE_ENTRIES);
      }
      copy = Arrays.copyOf(baggage, baggage.length + 2);
      copy[baggage.length] = key;
      copy[baggage.length + 1] = value;
    }
    return new CallContext(deadline, criticality, idempotency, attempt, attemptKind, doNotRetry, cancellation, copy);
  }

  // --- binding to threads -------------------------------------------------------------------------------------

  /** Runs {@code task} with this context current on this thread, restoring the previous one after. */
  public void run(Runnable task) {
    CallContext previous = attach();
    try {
      task.run();
    } finally {
      detach(previous);
    }
  }

  /** Calls {@code task} with this context current on this thread, restoring the previous one after. */
  public <T extends @Nullable Object> T call(Callable<T> task) throws Exception {
    CallContext previous = attach();
    try {
      return task.call();
    } finally {
      detach(previous);
    }
  }

  /**
   * Makes this context current and returns the one it replaced, which must be passed to {@link #detach} in a
   * {@code finally} block on the same thread. Prefer {@link #run}/{@link #call}; this pair exists for framework
   * hooks that enter and leave in separate callbacks (interceptors).
   */
  public CallContext attach() {
    Object previous = ContextBinding.forThisThread().bind(this);
    return previous != null ? (CallContext) previous : ROOT;
  }

  /** Restores {@code previous}, the value {@link #attach()} returned. */
  public void detach(CallContext previous) {
    ContextBinding.forThisThread().restore(previous);
  }

  /** {@code task} bound to this context, wherever it runs. */
  public Runnable wrap(Runnable task) {
    return () -> run(task);
  }

  /** {@code task} bound to this context, wherever it runs. */
  public <T extends @Nullable Object> Callable<T> wrap(Callable<T> task) {
    return () -> call(task);
  }

  /**
   * An executor that runs each task in the context current <em>when the task is submitted</em>, so work handed to
   * a pool (or to a virtual thread per task) sees the caller's deadline and cancellation.
   */
  public static Executor wrap(Executor executor) {
    return task -> executor.execute(current().wrap(task));
  }

  /** Like {@link #wrap(Executor)}, for an {@link ExecutorService}. */
  public static ExecutorService wrap(ExecutorService executor) {
    return new ContextExecutorService(executor);
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("CallContext[");
    text.append(deadline == null ? "no deadline" : deadline.toString())
        .append(", ").append(criticality)
        .append(", ").append(idempotency.idempotent() ? "idempotent" : "non-idempotent");
    if (idempotency.key() != null) {
      text.append(" key=").append(idempotency.key());
    }
    text.append(", attempt ").append(attempt).append(' ').append(attemptKind);
    if (doNotRetry) {
      text.append(", do-not-retry");
    }
    if (cancellation.isCancelled()) {
      text.append(", cancelled");
    }
    for (int i = 0; i < baggage.length; i += 2) {
      text.append(", ").append(((BaggageKey<?>) baggage[i]).name()).append('=').append(baggage[i + 1]);
    }
    return text.append(']').toString();
  }
}
