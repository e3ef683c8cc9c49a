package dev.blastwall.bench;

import java.io.IOException;
import java.io.Serial;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** The trivial work every benchmark guards: return a constant (or fail with a preallocated exception). */
final class Payload {

  static final String VALUE = "ok";

  /** The blocking payload. */
  static final Callable<String> TASK = () -> VALUE;

  /** The asynchronous payload: an already-completed future, the same instance every time. */
  static final CompletableFuture<String> DONE = CompletableFuture.completedFuture(VALUE);

  static final Supplier<CompletionStage<String>> ASYNC_TASK = () -> DONE;

  /**
   * A failure every library retries (an I/O error; Blastwall retries it for idempotent calls). One shared instance
   * on purpose: the failure benchmarks measure what the libraries do with a failure, not the cost of making one.
   */
  @SuppressWarnings("StaticAssignmentOfThrowable")
  static final Failure FAILURE = new Failure();

  /** Always fails with {@link #FAILURE}. */
  static final Callable<String> FAILING_TASK = () -> {
    throw FAILURE;
  };

  private Payload() {}

  /**
   * Preallocated and without a stack trace, so the failure benchmarks measure the libraries, not
   * {@code fillInStackTrace} of the payload.
   */
  static final class Failure extends IOException {
    @Serial private static final long serialVersionUID = 1L;

    Failure() {
      super("upstream failed (benchmark)");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }
}
