package dev.blastwall.kafka;

/** Kafka refused or failed a {@link ContextProducer#send}: the message names the producer, topic and cause. */
public final class KafkaSendException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  KafkaSendException(String message, Throwable cause) {
    super(message, cause);
  }
}
