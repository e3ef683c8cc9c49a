package dev.blastwall.failure;

import org.jspecify.annotations.Nullable;

/** The whole call's deadline passed, before or during an attempt; nothing is retried after it. */
public final class DeadlineExceededException extends BlastwallException {

  private static final long serialVersionUID = 1L;

  public DeadlineExceededException(String upstream, String detail, int attempts, long remainingNanos,
      @Nullable Throwable cause) {
    super(upstream, "deadline", detail, attempts, remainingNanos, cause);
  }

  @Override
  public FailureKind kind() {
    return FailureKind.DEADLINE_EXCEEDED;
  }
}
