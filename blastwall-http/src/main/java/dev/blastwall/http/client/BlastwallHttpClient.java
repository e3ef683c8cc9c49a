package dev.blastwall.http.client;

import dev.blastwall.balance.OutlierDetector;
import dev.blastwall.balance.PeakEwmaSelector;
import dev.blastwall.balance.Selector;
import dev.blastwall.context.CallContext;
import dev.blastwall.context.Idempotency;
import dev.blastwall.deadline.DeadlineSlack;
import dev.blastwall.http.EndpointBalancer;
import dev.blastwall.http.HttpIdempotency;
import dev.blastwall.pipeline.Pipeline;
import dev.blastwall.propagation.HeaderValues;
import dev.blastwall.propagation.Headers;
import dev.blastwall.time.Environment;
import dev.blastwall.time.Ticker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A {@link HttpClient} whose every request runs through one upstream's {@link Pipeline}: the call's deadline
 * (the caller's context and the pipeline's timeout) bounds all attempts, each attempt's exchange is cancelled when
 * its time is up, failures are retried by the method's idempotency under the retry budget and the breaker, and
 * repeatable reads may be hedged. The call context (deadline with slack, criticality, idempotency key, attempt,
 * mark, tenant, trace) goes on every attempt's headers.
 *
 * <pre>{@code
 * BlastwallHttpClient orders = BlastwallHttpClient.builder(HttpClient.newHttpClient(), registry.pipeline("orders"))
 *     .keyed(request -> request.uri().getPath().startsWith("/payments"))   // the server dedups these on the key
 *     .build();
 * HttpResponse<String> response = orders.send(request, BodyHandlers.ofString());
 * }</pre>
 *
 * <h2>What is retried</h2>
 *
 * GET, HEAD, PUT, DELETE and OPTIONS are repeatable; POST, PATCH and other methods only when {@link Builder#keyed}
 * declares the operation keyed, and then one {@code idempotency-key} (the request's own, or a new one) is sent on
 * every attempt. A request that never reached the server (connection refused) is retried whatever its method. A
 * status of 400 or more ends the attempt as an {@link HttpStatusFailure}, mapped by
 * {@code HttpStatusMapping.incoming}: if it is not retried, or is the last, it is what {@code send} throws (or
 * what the pipeline's exception has as its cause). Request bodies must replay ({@link ReplayableBodies}).
 *
 * <h2>Endpoints</h2>
 *
 * With {@link Builder#endpoints}, each attempt goes to an endpoint a core {@link Selector} picks (by default power
 * of two choices on peak-EWMA cost, latency times calls in flight, so a slow endpoint is avoided, not just a busy
 * one), and the request's scheme and authority are replaced by the endpoint's. Endpoints that fail
 * are ejected by core's {@link OutlierDetector}; one that refuses a connection at once.
 *
 * <p>Thread-safe; blocking {@link #send} parks (virtual threads are not pinned).
 */
public final class BlastwallHttpClient {

  private final HttpClient http;
  private final Pipeline pipeline;
  private final @Nullable EndpointBalancer balancer;
  private final Predicate<HttpRequest> keyed;
  final Ticker ticker;
  final InstantSource wallClock;
  final DeadlineSlack slack;

  private BlastwallHttpClient(Builder builder) {
    this.http = builder.http;
    this.pipeline = builder.pipeline;
    this.keyed = builder.keyed;
    // One environment: the pipeline's places the deadlines, times the endpoints and reads Retry-After dates.
    Environment environment = builder.pipeline.environment();
    this.ticker = environment.ticker();
    this.wallClock = environment.wallClock();
    this.slack = builder.slack;
    List<URI> endpoints = builder.endpoints;
    this.balancer = endpoints == null ? null
        : EndpointBalancer.of(endpoints, builder.selector != null ? builder.selector
            : new PeakEwmaSelector(ticker, environment.random()), builder.outlierDetection, ticker);
  }

  /** A builder for a client that sends with {@code http} through {@code pipeline}. */
  public static Builder builder(HttpClient http, Pipeline pipeline) {
    return new Builder(http, pipeline);
  }

  /** The balancer over the endpoints, or {@code null} when requests go where their URIs say. */
  public @Nullable EndpointBalancer balancer() {
    return balancer;
  }

  /**
   * Sends {@code request} through the pipeline on this thread, under the current {@link CallContext}.
   *
   * @return the first response with a status below 400
   * @throws HttpStatusFailure the response with a status of 400 or more, when it was not retried
   * @throws dev.blastwall.http.HttpRemoteFailure the server could not be reached or the exchange broke off
   * @throws dev.blastwall.failure.BlastwallException the pipeline gave up (deadline, retries, budget, breaker)
   * @throws InterruptedException if this thread was interrupted; the exchange in flight is cancelled
   */
  public <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> handler) throws InterruptedException {
    try {
      return pipeline.call(idempotencyOf(request), () -> new HttpExchangeAttempt<>(this, request, handler).await());
    } catch (InterruptedException | RuntimeException failure) {
      throw failure;
    } catch (Exception impossible) {
      // An attempt throws only the two above; the pipeline adds only its own runtime exceptions.
      throw new IllegalStateException(impossible);
    }
  }

  /**
   * Sends {@code request} through the pipeline asynchronously, under the current {@link CallContext}; the future
   * fails as {@link #send} throws. Cancelling it cancels the exchange in flight and stops any retry.
   */
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, BodyHandler<T> handler) {
    return pipeline.callAsync(idempotencyOf(request), () -> new HttpExchangeAttempt<>(this, request, handler).future());
  }

  /** The call's idempotency: by method, and keyed (with the request's own valid key, or a new one) if declared. */
  Idempotency idempotencyOf(HttpRequest request) {
    return HttpIdempotency.of(request.method(), keyed.test(request), () -> {
      String given = request.headers().firstValue(Headers.IDEMPOTENCY_KEY).orElse(null);
      return given != null && HeaderValues.parseIdempotencyKey(given).isPresent() ? given : HttpIdempotency.newKey();
    });
  }

  HttpClient http() {
    return http;
  }

  EndpointBalancer.@Nullable Member pick() {
    EndpointBalancer current = balancer;
    return current == null ? null : current.pick();
  }

  @Override
  public String toString() {
    return "BlastwallHttpClient[" + pipeline.upstream() + (balancer == null ? "" : ", " + balancer) + "]";
  }

  /** Builds a {@link BlastwallHttpClient}. */
  public static final class Builder {

    private final HttpClient http;
    private final Pipeline pipeline;
    private @Nullable List<URI> endpoints;
    private @Nullable Selector selector;
    private OutlierDetector.Settings outlierDetection = EndpointBalancer.DEFAULT_OUTLIER_DETECTION;
    private Predicate<HttpRequest> keyed = request -> false;
    private DeadlineSlack slack = DeadlineSlack.DEFAULT;

    private Builder(HttpClient http, Pipeline pipeline) {
      this.http = http;
      this.pipeline = pipeline;
    }

    /** Balances requests across these base URIs ({@code http://10.0.0.7:8080}); their paths are ignored. */
    public Builder endpoints(List<URI> baseUris) {
      this.endpoints = List.copyOf(baseUris);
      return this;
    }

    /** The selector that picks an endpoint per attempt; power of two choices on peak-EWMA cost by default. */
    public Builder selector(Selector newSelector) {
      this.selector = newSelector;
      return this;
    }

    /** The outlier detection over the endpoints; {@link EndpointBalancer#DEFAULT_OUTLIER_DETECTION} by default. */
    public Builder outlierDetection(OutlierDetector.Settings settings) {
      this.outlierDetection = settings;
      return this;
    }

    /**
     * Which requests are declared keyed: the server deduplicates them on {@code idempotency-key}, so a POST or
     * PATCH among them may be retried. None by default; a key on a request that is not declared is sent as it is
     * and makes nothing retryable.
     */
    public Builder keyed(Predicate<HttpRequest> declaredKeyed) {
      this.keyed = declaredKeyed;
      return this;
    }

    /** How much of the deadline each attempt keeps back for this side ({@link DeadlineSlack#DEFAULT}). */
    public Builder slack(DeadlineSlack newSlack) {
      this.slack = newSlack;
      return this;
    }

    public BlastwallHttpClient build() {
      return new BlastwallHttpClient(this);
    }
  }
}
