package dev.blastwall.propagation;

import dev.blastwall.context.AttemptKind;
import dev.blastwall.context.BaggageKey;
import dev.blastwall.context.CallContext;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.time.Ticker;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Writes a {@link CallContext} to a request's headers and reads one back, with the names of {@link Headers}: the
 * deadline (through a {@link DeadlineCodec}, or not at all when the transport carries it itself, as gRPC does
 * with {@code grpc-timeout}), criticality, idempotency key, attempt number and kind, the do-not-retry mark, the
 * tenant ({@link #TENANT}) and the W3C trace headers ({@link W3cTrace#KEY}).
 *
 * <p>What is written is what the next hop needs and no more: the attempt number only from attempt 2 on (absent
 * means 1; most calls succeed at once, and each header costs both sides work on every call), the kind only for a
 * hedge, the mark only when set. Reading never throws; see {@link ContextRead}. Immutable and thread-safe.
 */
public final class ContextCodec {

  /** Where the context carries the tenant id that {@link Headers#TENANT} propagates. */
  public static final BaggageKey<String> TENANT = BaggageKey.of("tenant", String.class);

  private static final ContextCodec WITHOUT_DEADLINE = new ContextCodec(null);

  private final @Nullable DeadlineCodec deadlines;
  private final List<String> names;

  private ContextCodec(@Nullable DeadlineCodec deadlines) {
    this.deadlines = deadlines;
    List<String> all = new ArrayList<>(List.of(Headers.CRITICALITY, Headers.IDEMPOTENCY_KEY, Headers.ATTEMPT,
        Headers.ATTEMPT_KIND, Headers.DO_NOT_RETRY, Headers.TENANT, Headers.TRACEPARENT, Headers.TRACESTATE));
    if (deadlines != null) {
      all.add(deadlines.headerName());
    }
    this.names = List.copyOf(all);
  }

  /** A codec for a transport that carries the deadline in its own header (gRPC). */
  public static ContextCodec withoutDeadline() {
    return WITHOUT_DEADLINE;
  }

  /** A codec that carries the deadline with {@code deadlines}. */
  public static ContextCodec withDeadline(DeadlineCodec deadlines) {
    return new ContextCodec(deadlines);
  }

  /** Every header {@link #write} may set, so an adapter can clear stale ones from a reused request first. */
  public List<String> names() {
    return names;
  }

  /** Writes {@code context} to {@code sink}. */
  public void write(CallContext context, HeaderSink sink) {
    sink.set(Headers.CRITICALITY, HeaderValues.formatCriticality(context.criticality()));
    String key = context.idempotency().key();
    if (key != null) {
      sink.set(Headers.IDEMPOTENCY_KEY, key);
    }
    int attempt = context.attempt();
    if (attempt > 1) {
      sink.set(Headers.ATTEMPT, HeaderValues.formatAttempt(attempt));
      if (context.attemptKind() == AttemptKind.HEDGE) {
        sink.set(Headers.ATTEMPT_KIND, HeaderValues.formatAttemptKind(AttemptKind.HEDGE));
      }
    }
    if (context.doNotRetry()) {
      sink.set(Headers.DO_NOT_RETRY, HeaderValues.formatDoNotRetry());
    }
    String tenant = context.get(TENANT);
    if (tenant != null && HeaderValues.parseTenant(tenant).isPresent()) {
      sink.set(Headers.TENANT, tenant);
    }
    W3cTrace trace = context.get(W3cTrace.KEY);
    if (trace != null) {
      trace.write(sink);
    }
    Deadline deadline = context.deadline();
    if (deadlines != null && deadline != null) {
      deadlines.write(deadline, sink);
    }
  }

  /** Reads a context from {@code source}, its deadline (if this codec carries one) placed on {@code ticker}. */
  public ContextRead read(HeaderSource source, Ticker ticker) {
    return new ContextRead(
        deadlines == null ? HeaderValue.absent() : deadlines.read(source, ticker),
        HeaderValues.parseCriticality(source.get(Headers.CRITICALITY)),
        HeaderValues.parseIdempotencyKey(source.get(Headers.IDEMPOTENCY_KEY)),
        HeaderValues.parseAttempt(source.get(Headers.ATTEMPT)),
        HeaderValues.parseAttemptKind(source.get(Headers.ATTEMPT_KIND)),
        HeaderValues.parseDoNotRetry(source.get(Headers.DO_NOT_RETRY)),
        HeaderValues.parseTenant(source.get(Headers.TENANT)),
        W3cTrace.read(source));
  }

  @Override
  public String toString() {
    return "ContextCodec[" + (deadlines == null ? "deadline carried by the transport" : deadlines) + "]";
  }
}
