package dev.blastwall.server;

import dev.blastwall.context.CallContext;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.failure.OverloadedException;

/**
 * The rules every server adapter applies to an arriving call, before its handler runs, whatever the protocol:
 * <ol>
 *   <li>a call whose deadline already passed is refused without asking the {@link Admission}: its caller has given
 *       up, so any work on it is wasted;
 *   <li>otherwise the {@link Admission} admits it or refuses it with an {@link OverloadedException} (retry-after hint,
 *       do-not-retry mark) for the adapter to send;
 *   <li>an admitted call's permit is released exactly once, however many times and from however many threads the
 *       adapter ends the {@link GuardedCall} (completion, cancellation and a failed start may race).
 * </ol>
 * The adapter keeps only its plumbing: reading the context from its headers and writing the refusal as its status.
 *
 * <pre>{@code
 * ServerCallGuard guard = ServerCallGuard.of(AdmissionController.builder("orders", 100).build());
 * GuardedCall call = guard.enter(context);
 * if (!call.admitted()) {
 *   return call.expired() ? answerDeadlineExceeded() : answerOverloaded(call.refusal());
 * }
 * try {
 *   Response response = handler.handle(request);
 *   call.onSuccess();
 *   return response;
 * } finally {
 *   call.onIgnore();   // no-op after onSuccess
 * }
 * }</pre>
 *
 * <p>Immutable and thread-safe; one guard serves a whole server.
 */
public final class ServerCallGuard {

  private static final ServerCallGuard ALWAYS = new ServerCallGuard(Admission.ALWAYS);

  private final Admission admission;

  private ServerCallGuard(Admission admission) {
    this.admission = admission;
  }

  /** A guard that refuses expired calls and asks {@code admission} about the others. */
  public static ServerCallGuard of(Admission admission) {
    return admission == Admission.ALWAYS ? ALWAYS : new ServerCallGuard(admission);
  }

  /** A guard that refuses expired calls only. */
  public static ServerCallGuard expiryOnly() {
    return ALWAYS;
  }

  /** The admission asked about every call that has not expired. */
  public Admission admission() {
    return admission;
  }

  /**
   * Decides a call that has just arrived, described by {@code context} (its deadline placed on arrival).
   *
   * @return the decision; when admitted, one of its end methods must be called when the call ends
   */
  public GuardedCall enter(CallContext context) {
    Deadline deadline = context.deadline();
    if (deadline != null && deadline.isExpired()) {
      return GuardedCall.EXPIRED;
    }
    Permit permit = admission.tryAdmit(context);
    if (permit == null) {
      return GuardedCall.refused(admission.rejection(context));
    }
    return GuardedCall.admitted(permit);
  }

  @Override
  public String toString() {
    return "ServerCallGuard[" + admission + "]";
  }
}
