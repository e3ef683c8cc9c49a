package dev.blastwall.kafka.internal;

import dev.blastwall.kafka.DeadLetterReason;
import dev.blastwall.kafka.MessageHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;

/**
 * Makes the dead-letter record for a consumed one: its key, value and headers unchanged, plus the
 * {@link MessageHeaders} {@code kafka_dlt-*} and {@code blastwall-dlt-*} headers saying where it came from and why
 * it was given up on. Earlier dead-letter headers (a record dead-lettered before and replayed) are replaced.
 */
public final class DeadLetters {

  private DeadLetters() {}

  /**
   * The dead letter of {@code record} for {@code topic} (partition {@code partition}, or the producer's choice
   * when null).
   *
   * @param failures its failures so far; null when it never reached the handler
   * @param nowMillis the time of this (last) failure, when {@code failures} is null
   */
  public static ProducerRecord<byte[], byte[]> of(ConsumerRecord<byte[], byte[]> record, String topic,
      @Nullable Integer partition, String group, DeadLetterReason reason, Throwable failure,
      @Nullable Failures failures, long nowMillis) {
    Headers headers = new RecordHeaders();
    for (Header header : record.headers()) {
      if (!isDeadLetterHeader(header.key())) {
        headers.add(header);
      }
    }
    headers.add(MessageHeaders.DLT_ORIGINAL_TOPIC, text(record.topic()));
    headers.add(MessageHeaders.DLT_ORIGINAL_PARTITION, ByteBuffer.allocate(4).putInt(record.partition()).array());
    headers.add(MessageHeaders.DLT_ORIGINAL_OFFSET, ByteBuffer.allocate(8).putLong(record.offset()).array());
    headers.add(MessageHeaders.DLT_ORIGINAL_TIMESTAMP, ByteBuffer.allocate(8).putLong(record.timestamp()).array());
    headers.add(MessageHeaders.DLT_ORIGINAL_CONSUMER_GROUP, text(group));
    headers.add(MessageHeaders.DLT_EXCEPTION_FQCN, text(failure.getClass().getName()));
    String message = String.valueOf(failure.getMessage());
    if (message.length() > MessageHeaders.MAX_MESSAGE_CHARS) {
      message = message.substring(0, MessageHeaders.MAX_MESSAGE_CHARS);
    }
    headers.add(MessageHeaders.DLT_EXCEPTION_MESSAGE, text(message));
    headers.add(MessageHeaders.DLT_REASON, text(reason.headerValue()));
    headers.add(MessageHeaders.DLT_ATTEMPTS, text(Integer.toString(failures == null ? 0 : failures.attempts())));
    long first = failures == null ? nowMillis : failures.firstFailureMillis();
    long last = failures == null ? nowMillis : failures.lastFailureMillis();
    headers.add(MessageHeaders.DLT_FIRST_FAILURE, text(Long.toString(first)));
    headers.add(MessageHeaders.DLT_LAST_FAILURE, text(Long.toString(last)));
    return new ProducerRecord<>(topic, partition, record.key(), record.value(), headers);
  }

  private static boolean isDeadLetterHeader(String name) {
    return name.startsWith("kafka_dlt-") || name.startsWith("blastwall-dlt-");
  }

  private static byte[] text(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }
}
