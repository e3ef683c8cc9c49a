package dev.blastwall.kafka;

import dev.blastwall.context.CallContext;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What the {@link ConsumerRunner} does with each record, on its poll thread, in partition order. Returning
 * means done (the offset may be committed); throwing means failed (retried, or dead-lettered). It may be called
 * again for a record it already handled (at least once: after a crash or a rebalance), so effects should be
 * idempotent, keyed on {@link MessageHeaders#MESSAGE_ID}.
 */
@FunctionalInterface
public interface RecordHandler<K, V> {

  /**
   * Handles {@code record}.
   *
   * @param context the sender's context from the record's headers (its absolute expiry as the deadline), also
   *     {@link CallContext#current()} during the call
   */
  void handle(ConsumerRecord<K, V> record, CallContext context) throws Exception;
}
