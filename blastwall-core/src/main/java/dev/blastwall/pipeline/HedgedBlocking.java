package dev.blastwall.pipeline;

import dev.blastwall.context.CallContext;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/** Runs blocking hedged attempts on virtual threads, and waits for the winner on the caller's thread. */
final class HedgedBlocking {

  private HedgedBlocking() {}

  /** Starts {@code task} on a new virtual thread under the current context; cancelling interrupts it. */
  static <T extends @Nullable Object> CompletableFuture<T> onVirtualThread(Callable<T> task) {
    CallContext context = CallContext.current();
    InterruptingFuture<T> future = new InterruptingFuture<>();
    Thread thread = Thread.ofVirtual().name("blastwall-hedge").unstarted(() -> {
      try {
        future.complete(context.call(task));
      } catch (Throwable failure) {
        future.completeExceptionally(failure);
      }
    });
    future.runner = thread;
    thread.start();
    return future;
  }

  /** Waits for {@code result}; if this thread is interrupted, cancels the call and rethrows. */
  static <T extends @Nullable Object> T await(CompletableFuture<T> result) throws Exception {
    try {
      return result.get();
    } catch (InterruptedException interrupted) {
      result.cancel(/* mayInterruptIfRunning= */ true);
      throw interrupted;
    } catch (ExecutionException wrapped) {
      Throwable cause = wrapped.getCause();
      if (cause instanceof Exception exception) {
        throw exception;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new UndeclaredThrowableException(cause);
    } catch (CancellationException cancelled) {
      throw cancelled;
    }
  }

  /** A future whose cancellation interrupts the thread computing it. */
  private static final class InterruptingFuture<T extends @Nullable Object> extends CompletableFuture<T> {
    volatile @Nullable Thread runner;

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      Thread thread = runner;
      if (cancelled && thread != null) {
        thread.interrupt();
      }
      return cancelled;
    }
  }
}
