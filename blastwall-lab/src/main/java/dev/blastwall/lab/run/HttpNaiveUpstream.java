package dev.blastwall.lab.run;

import io.grpc.Status;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * {@link NaiveUpstream} over HTTP: a bare {@code java.net.http.HttpClient} sending to the replicas in turn, the same
 * long timeout on every attempt, nothing passed on, and the call repeated at once, up to {@code retries} more
 * times, whenever its status stands for a listed gRPC code ({@link LabHttp#code}). With a shared outbound pool,
 * each call holds one of its threads until the answer.
 */
final class HttpNaiveUpstream implements Upstream {

  private final HttpClient http;
  private final List<InetSocketAddress> addresses;
  private final AtomicInteger next = new AtomicInteger();
  private final Duration timeout;
  private final int attempts;
  private final Set<Status.Code> retryOn = EnumSet.noneOf(Status.Code.class);
  private final ClientCounters counters;
  private final @Nullable ExecutorService pool;

  HttpNaiveUpstream(List<InetSocketAddress> addresses, Duration timeout, int retries, Set<String> retryOn,
      ClientCounters counters, @Nullable ExecutorService pool, Executor executor) {
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor).build();
    this.addresses = List.copyOf(addresses);
    this.timeout = timeout;
    this.attempts = 1 + retries;
    for (String status : retryOn) {
      this.retryOn.add(Status.Code.valueOf(status));
    }
    this.counters = counters;
    this.pool = pool;
  }

  @Override
  public CompletableFuture<byte[]> call(long id, boolean idempotent) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    ExecutorService threads = pool;
    if (threads == null) {
      attempt(id, 1, result);
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
    attempt(id, 1, answer);
    try {
      result.complete(answer.get());
    } catch (ExecutionException failed) {
      result.completeExceptionally(failed.getCause() != null ? failed.getCause() : failed);
    } catch (InterruptedException e) {
      result.completeExceptionally(Status.UNAVAILABLE.withDescription("outbound pool closed").asRuntimeException());
      Thread.currentThread().interrupt();
    }
  }

  private void attempt(long id, int attempt, CompletableFuture<byte[]> result) {
    InetSocketAddress address = addresses.get(Math.floorMod(next.getAndIncrement(), addresses.size()));
    var unused = http.sendAsync(LabHttp.request(address, id, true, timeout), HttpResponse.BodyHandlers.ofByteArray())
        .whenComplete((response, failure) -> {
          Throwable failed = failure != null ? LabHttp.toStatusException(failure) : LabHttp.failure(response);
          if (failed == null) {
            result.complete(response.body());
          } else if (attempt < attempts && retryOn.contains(UnaryCalls.code(failed))) {
            counters.retries.increment();
            attempt(id, attempt + 1, result);
          } else {
            result.completeExceptionally(failed);
          }
        });
  }

  @Override
  public void close() {
    LabHttp.close(http);
  }
}
