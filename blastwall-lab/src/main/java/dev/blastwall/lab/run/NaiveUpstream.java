package dev.blastwall.lab.run;

import dev.blastwall.lab.plan.NaiveSetup;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The client a team writes without thinking: the same long timeout on every attempt, no deadline passed on, and
 * the call repeated at once, up to {@code retries} more times, whenever it failed with a listed status. No
 * backoff, no budget, no breaker. With a shared outbound pool, each call (all its attempts) holds one of the pool's
 * threads, blocked on the answer, and first waits for a free one: a slow upstream holding the threads delays the
 * calls to every other upstream.
 */
final class NaiveUpstream implements Upstream {

  private final ManagedChannel channel;
  private final long timeoutNanos;
  private final int attempts;
  private final Set<Status.Code> retryOn = EnumSet.noneOf(Status.Code.class);
  private final ClientCounters counters;
  private final @Nullable ExecutorService pool;

  NaiveUpstream(ManagedChannel channel, NaiveSetup setup, ClientCounters counters, @Nullable ExecutorService pool) {
    this.channel = channel;
    this.timeoutNanos = setup.timeout().toNanos();
    this.attempts = 1 + setup.retries();
    for (String status : setup.retryOn()) {
      retryOn.add(Status.Code.valueOf(status));
    }
    this.counters = counters;
    this.pool = pool;
  }

  @Override
  public CompletableFuture<byte[]> call(long id, boolean idempotent) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    ExecutorService threads = pool;
    if (threads == null) {
      attempt(LabWire.request(id), 1, result);
      return result;
    }
    try {
      threads.execute(() -> blocking(id, result));
    } catch (RejectedExecutionException closed) {
      result.completeExceptionally(Status.UNAVAILABLE.withDescription("outbound pool closed").asRuntimeException());
    }
    return result;
  }

  /** The call as a thread of the pool makes it: it holds the thread until the answer. */
  private void blocking(long id, CompletableFuture<byte[]> result) {
    CompletableFuture<byte[]> answer = new CompletableFuture<>();
    attempt(LabWire.request(id), 1, answer);
    try {
      result.complete(answer.get());
    } catch (ExecutionException failed) {
      result.completeExceptionally(failed.getCause() != null ? failed.getCause() : failed);
    } catch (InterruptedException e) {
      result.completeExceptionally(Status.UNAVAILABLE.withDescription("outbound pool closed").asRuntimeException());
      Thread.currentThread().interrupt();
    }
  }

  private void attempt(byte[] request, int attempt, CompletableFuture<byte[]> result) {
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS);
    var unused = UnaryCalls.call(channel, LabWire.CALL, options, request).whenComplete((reply, failure) -> {
      if (failure == null) {
        result.complete(reply);
      } else if (attempt < attempts && retryOn.contains(UnaryCalls.code(failure))) {
        counters.retries.increment();
        attempt(request, attempt + 1, result);
      } else {
        result.completeExceptionally(failure);
      }
    });
  }

  @Override
  public void close() {
    Channels.close(channel);
  }
}
