package dev.blastwall.lab.run;

import dev.blastwall.balance.OutlierDetector;
import dev.blastwall.balance.RoundRobinSelector;
import dev.blastwall.deadline.DeadlineSlack;
import dev.blastwall.http.client.BlastwallHttpClient;
import dev.blastwall.lab.plan.BlastwallSetup;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.time.RandomSource;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * {@link BlastwallUpstream} over HTTP: the same pipeline, on blastwall-http's {@link BlastwallHttpClient}, balanced
 * round robin over the replicas with outlier ejection as the gRPC channel is. {@code POST /lab/call-once} is
 * declared keyed: every lab service keeps an idempotency store, so it is retried with one key on every attempt.
 */
final class HttpBlastwallUpstream implements Upstream {

  /** Longest ejection of a replica ejected again and again, as gRPC's outlier detection. */
  private static final Duration MAX_EJECTION = Duration.ofMinutes(5);
  /** gRPC's default cap: one replica at a time for the lab's small services. */
  private static final int MAX_EJECTION_PERCENT = 10;

  private final HttpClient http;
  private final BlastwallHttpClient client;
  private final InetSocketAddress first;

  HttpBlastwallUpstream(Pipeline pipeline, List<InetSocketAddress> addresses, Duration ejectionTime, RunClock clock,
      DeadlineSlack slack, Executor executor) {
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor).build();
    this.first = addresses.get(0);
    List<URI> endpoints = new ArrayList<>();
    for (InetSocketAddress address : addresses) {
      endpoints.add(LabHttp.base(address));
    }
    // Ejection by consecutive failures only, as the gRPC channel's config: success-rate and failure-percentage
    // ejection need more hosts than any lab service has.
    OutlierDetector.Settings ejection = new OutlierDetector.Settings(ejectionTime,
        ejectionTime.compareTo(MAX_EJECTION) > 0 ? ejectionTime : MAX_EJECTION, MAX_EJECTION_PERCENT,
        BlastwallSetup.EJECTION_FAILURES, 1.9, Integer.MAX_VALUE, 100, 85, Integer.MAX_VALUE, 50);
    this.client = BlastwallHttpClient.builder(http, pipeline)
        .endpoints(endpoints)
        .selector(new RoundRobinSelector(RandomSource.threadLocal()))
        .outlierDetection(ejection)
        .keyed(request -> "POST".equals(request.method()))
        .slack(slack)
        .build();
  }

  @Override
  public CompletableFuture<byte[]> call(long id, boolean idempotent) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    var unused = client.sendAsync(LabHttp.request(first, id, idempotent, null), HttpResponse.BodyHandlers.ofByteArray())
        .whenComplete((response, failure) -> {
          Throwable failed = failure != null ? LabHttp.toStatusException(failure) : LabHttp.failure(response);
          if (failed == null) {
            result.complete(response.body());
          } else {
            result.completeExceptionally(failed);
          }
        });
    return result;
  }

  @Override
  public void close() {
    LabHttp.close(http);
  }
}
