package dev.blastwall.kafka;

/** Why the consumer runner sent a record to the dead-letter topic, written as {@link MessageHeaders#DLT_REASON}. */
public enum DeadLetterReason {
  /** The handler failed on every one of the configured attempts. */
  ATTEMPTS_EXHAUSTED,
  /** The handler failed with a failure retrying cannot fix (see {@code ConsumerRunner.Builder.nonRetryable}). */
  NON_RETRYABLE,
  /** The record's key or value could not be deserialized: a poison record, never handed to the handler. */
  UNDESERIALIZABLE,
  /** The record's absolute expiry ({@link dev.blastwall.propagation.Headers#DEADLINE}) had passed when it came. */
  EXPIRED;

  /** The header value: the name in lower case with dashes. */
  public String headerValue() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
