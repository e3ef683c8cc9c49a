package dev.blastwall.server;

import dev.blastwall.context.CallContext;
import dev.blastwall.failure.OverloadedException;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether an arriving call may run. {@code AdmissionController} (by criticality), {@code ConcurrencyLimiter}
 * and {@code PartitionedLimiter} implement it directly; a {@link ServerCallGuard} asks it once per call and releases
 * every permit it got exactly once.
 *
 * <p>Implementations must be thread-safe and must not block: adapters ask on their transport's threads.
 */
public interface Admission {

  /** Admits everything; its permit does nothing. */
  Admission ALWAYS = AlwaysAdmit.INSTANCE;

  /**
   * Admits the call described by {@code context} (deadline, criticality, attempt, ...) or refuses it.
   *
   * @return the call's permit, one of whose methods must be called when it ends; {@code null} if refused
   */
  @Nullable Permit tryAdmit(CallContext context);

  /** The refusal for the call described by {@code context}, read now: sent to its caller with its retry-after hint. */
  OverloadedException rejection(CallContext context);
}
