package dev.blastwall.grpc;

import dev.blastwall.context.CallContext;
import dev.blastwall.failure.OverloadedException;
import org.jspecify.annotations.Nullable;

/**
 * The server's admission control hook: asked once per incoming call, before the handler runs. A refusal is
 * answered RESOURCE_EXHAUSTED with the refusal's retry-after hint as {@code grpc-retry-pushback-ms} and the
 * do-not-retry mark, so the caller directly above may retry after the hint and nothing further up does.
 *
 * <p>{@link BlastwallServerInterceptor} calls {@link #release} exactly once for every call that was admitted,
 * when it completes, is cancelled, or its handler fails to start; never for a refused call. Implementations must
 * be thread-safe and must not block: they run on gRPC's executor threads for every call.
 *
 * <p>The interceptor is installed per service, so health checks stay admitted by not installing admission control
 * on the health service. With the overload package's {@code AdmissionController}:
 *
 * <pre>{@code
 * Admission admission = new Admission() {
 *   public OverloadedException tryAdmit(CallContext context) {
 *     return controller.tryAdmit(context.criticality()) ? null : controller.rejection(context.criticality());
 *   }
 *   public void release(CallContext context, long heldNanos) {
 *     controller.release(heldNanos);
 *   }
 * };
 * }</pre>
 */
public interface Admission {

  /** Admits everything; the default. */
  Admission ALWAYS = new Admission() {
    @Override
    public @Nullable OverloadedException tryAdmit(CallContext context) {
      return null;
    }

    @Override
    public void release(CallContext context, long heldNanos) {}
  };

  /**
   * Decides whether the call described by {@code context} (deadline, criticality, attempt number, ...) may run.
   *
   * @return {@code null} to admit it, or the reason to refuse it
   */
  @Nullable OverloadedException tryAdmit(CallContext context);

  /**
   * An admitted call is done, {@code heldNanos} after it was admitted (on the interceptor's ticker); {@code context}
   * is the one that was passed to {@link #tryAdmit}.
   */
  void release(CallContext context, long heldNanos);
}
