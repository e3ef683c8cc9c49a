package dev.blastwall.propagation;

import dev.blastwall.context.AttemptKind;
import dev.blastwall.context.CallContext;
import dev.blastwall.context.Cancellation;
import dev.blastwall.context.Criticality;
import dev.blastwall.context.Idempotency;
import dev.blastwall.deadline.Deadline;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@link ContextCodec#read} found in a request's headers, one {@link HeaderValue} per header, so the adapter
 * decides what each refusal means (ignore it, or refuse the request) before making the {@link #context}.
 *
 * @param deadline the deadline, always absent when the codec carries none
 * @param criticality {@link Headers#CRITICALITY}
 * @param idempotencyKey {@link Headers#IDEMPOTENCY_KEY}
 * @param attempt {@link Headers#ATTEMPT}
 * @param attemptKind {@link Headers#ATTEMPT_KIND}
 * @param doNotRetry {@link Headers#DO_NOT_RETRY}
 * @param tenant {@link Headers#TENANT}
 * @param trace {@link Headers#TRACEPARENT} with {@link Headers#TRACESTATE}
 */
public record ContextRead(HeaderValue<Deadline> deadline, HeaderValue<Criticality> criticality,
    HeaderValue<String> idempotencyKey, HeaderValue<Integer> attempt, HeaderValue<AttemptKind> attemptKind,
    HeaderValue<Boolean> doNotRetry, HeaderValue<String> tenant, HeaderValue<W3cTrace> trace) {

  /** The refusal messages, in header order; empty when every header present was acceptable. */
  public List<String> refusals() {
    List<String> refusals = new ArrayList<>(0);
    for (HeaderValue<?> value : List.of(deadline, criticality, idempotencyKey, attempt, attemptKind, doNotRetry,
        tenant, trace)) {
      String refusal = value.refusal();
      if (refusal != null) {
        refusals.add(refusal);
      }
    }
    return refusals;
  }

  /**
   * The context of the incoming call, leniently: each absent or refused value falls back to its default (no
   * deadline, {@code defaultCriticality}, no key, attempt 1, no mark, no tenant, no trace). The attempt kind is
   * {@code ORIGINAL} for attempt 1, {@code HEDGE} when the header says so from attempt 2 on, else {@code RETRY}.
   */
  public CallContext context(Criticality defaultCriticality, Cancellation cancellation) {
    int number = attempt.orElse(1);
    AttemptKind kind = number == 1 ? AttemptKind.ORIGINAL
        : attemptKind.orElse(AttemptKind.RETRY) == AttemptKind.HEDGE ? AttemptKind.HEDGE : AttemptKind.RETRY;
    String key = idempotencyKey.orNull();
    CallContext context = CallContext.ROOT
        .forAttempt(number, kind, cancellation)
        .withDeadline(deadline.orNull())
        .withCriticality(criticality.orElse(defaultCriticality))
        .withIdempotency(key == null ? Idempotency.NON_IDEMPOTENT : Idempotency.withKey(key))
        .withDoNotRetry(doNotRetry.orElse(Boolean.FALSE));
    String tenantId = tenant.orNull();
    if (tenantId != null) {
      context = context.with(ContextCodec.TENANT, tenantId);
    }
    W3cTrace w3c = trace.orNull();
    return w3c == null ? context : context.with(W3cTrace.KEY, w3c);
  }
}
