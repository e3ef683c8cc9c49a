package dev.blastwall.kafka;

/**
 * The record headers this module writes besides core's call-context headers ({@link dev.blastwall.propagation.Headers},
 * with the absolute deadline {@link dev.blastwall.propagation.Headers#DEADLINE}). Values are UTF-8 text, except the
 * dead-letter numbers named after Spring Kafka's, which are binary big-endian as Spring writes them, so Spring
 * tooling reads a Blastwall dead letter.
 */
public final class MessageHeaders {

  /** The message's id, the same on every redelivery and replay: the idempotency key when the context has one. */
  public static final String MESSAGE_ID = "blastwall-message-id";

  /** Dead letter: the topic the record was consumed from (text). */
  public static final String DLT_ORIGINAL_TOPIC = "kafka_dlt-original-topic";

  /** Dead letter: the partition it was consumed from (4-byte big-endian int). */
  public static final String DLT_ORIGINAL_PARTITION = "kafka_dlt-original-partition";

  /** Dead letter: its offset (8-byte big-endian long). */
  public static final String DLT_ORIGINAL_OFFSET = "kafka_dlt-original-offset";

  /** Dead letter: its timestamp, epoch ms (8-byte big-endian long). */
  public static final String DLT_ORIGINAL_TIMESTAMP = "kafka_dlt-original-timestamp";

  /** Dead letter: the consumer group that gave up on it (text). */
  public static final String DLT_ORIGINAL_CONSUMER_GROUP = "kafka_dlt-original-consumer-group";

  /** Dead letter: the last failure's class name (text). */
  public static final String DLT_EXCEPTION_FQCN = "kafka_dlt-exception-fqcn";

  /** Dead letter: the last failure's message (text, at most {@link #MAX_MESSAGE_CHARS} characters). */
  public static final String DLT_EXCEPTION_MESSAGE = "kafka_dlt-exception-message";

  /** Dead letter: why it was given up on, one of {@link DeadLetterReason}'s names in lower case (text). */
  public static final String DLT_REASON = "blastwall-dlt-reason";

  /** Dead letter: how many times it was handed to the handler (text, decimal; 0 if it never was). */
  public static final String DLT_ATTEMPTS = "blastwall-dlt-attempts";

  /** Dead letter: when the first failure happened, epoch ms (text, decimal). */
  public static final String DLT_FIRST_FAILURE = "blastwall-dlt-first-failure-ms";

  /** Dead letter: when the last failure happened, epoch ms (text, decimal). */
  public static final String DLT_LAST_FAILURE = "blastwall-dlt-last-failure-ms";

  /** How much of a failure message a dead letter keeps: enough to recognise it, bounded for the header. */
  public static final int MAX_MESSAGE_CHARS = 1_000;

  private MessageHeaders() {}
}
