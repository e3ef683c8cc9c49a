package dev.blastwall.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.propagation.Headers;
import dev.blastwall.retry.Backoff;
import dev.blastwall.testing.FakeTicker;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The consumer runner on the real broker: at least once, bounded retries, dead letters, breaker backpressure. */
class ConsumerRunnerTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final RealKafka kafka = RealKafka.shared();

  @Test
  void aPoisonRecordIsDeadLetteredAfterTheConfiguredAttemptsWhileTheRestOfItsPartitionGoesOn() throws Exception {
    String topic = RealKafka.uniqueName("poison");
    kafka.createTopics(1, topic, topic + "-dlt");
    List<String> values = IntStream.range(0, 10).mapToObj(i -> "v" + i).toList();
    send(topic, values);
    AtomicInteger poisonAttempts = new AtomicInteger();
    List<String> handled = new CopyOnWriteArrayList<>();
    String group = RealKafka.uniqueName("group");
    long before = System.currentTimeMillis();
    ConsumerRunner<String, String> runner = runner(group, topic, (record, context) -> {
      if (record.value().equals("v3")) {
        poisonAttempts.incrementAndGet();
        throw new IllegalStateException("cannot handle v3");
      }
      handled.add(record.value());
    }).maxAttempts(3).backoff(Backoff.constant(Duration.ofMillis(50))).start();
    try {
      await(() -> handled.size() == 9);
    } finally {
      runner.close();
    }

    assertThat(handled).containsExactly("v0", "v1", "v2", "v4", "v5", "v6", "v7", "v8", "v9");
    assertThat(poisonAttempts).hasValue(3);
    ConsumerRecord<String, String> letter = ContextProducerTest.readOne(kafka, topic + "-dlt");
    assertThat(letter.value()).isEqualTo("v3");
    assertThat(letter.partition()).isZero();
    assertThat(text(letter, MessageHeaders.DLT_REASON)).isEqualTo("attempts-exhausted");
    assertThat(text(letter, MessageHeaders.DLT_ATTEMPTS)).isEqualTo("3");
    assertThat(text(letter, MessageHeaders.DLT_EXCEPTION_FQCN)).isEqualTo(IllegalStateException.class.getName());
    assertThat(text(letter, MessageHeaders.DLT_EXCEPTION_MESSAGE)).isEqualTo("cannot handle v3");
    assertThat(text(letter, MessageHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo(topic);
    assertThat(text(letter, MessageHeaders.DLT_ORIGINAL_CONSUMER_GROUP)).isEqualTo(group);
    assertThat(ByteBuffer.wrap(bytes(letter, MessageHeaders.DLT_ORIGINAL_PARTITION)).getInt()).isZero();
    assertThat(ByteBuffer.wrap(bytes(letter, MessageHeaders.DLT_ORIGINAL_OFFSET)).getLong()).isEqualTo(3);
    assertThat(ByteBuffer.wrap(bytes(letter, MessageHeaders.DLT_ORIGINAL_TIMESTAMP)).getLong())
        .isBetween(before - 60_000, System.currentTimeMillis());
    long first = Long.parseLong(text(letter, MessageHeaders.DLT_FIRST_FAILURE));
    long last = Long.parseLong(text(letter, MessageHeaders.DLT_LAST_FAILURE));
    // Two backoffs of 50 ms lie between the first and the last failure.
    assertThat(last - first).isGreaterThanOrEqualTo(100);
    assertThat(first).isGreaterThanOrEqualTo(before);
    // Clean shutdown committed everything handled or dead-lettered.
    assertThat(committed(group, topic)).isEqualTo(10);
  }

  @Test
  void nonRetryableUndeserializableAndExpiredRecordsGoToTheDeadLetterTopicAtOnce() throws Exception {
    String topic = RealKafka.uniqueName("at-once");
    kafka.createTopics(1, topic, topic + "-dlt");
    ProducerRecord<String, String> expired = new ProducerRecord<>(topic, "k", "late");
    expired.headers().add(Headers.DEADLINE, Long.toString(System.currentTimeMillis() - 1_000).getBytes(UTF_8));
    sendAll(List.of(new ProducerRecord<>(topic, "k", "ok1"), new ProducerRecord<>(topic, "k", "invalid"),
        new ProducerRecord<>(topic, "k", "unreadable"), expired, new ProducerRecord<>(topic, "k", "ok2")));
    List<String> seen = new CopyOnWriteArrayList<>();
    Deserializer<String> values = (t, data) -> {
      String value = new String(data, UTF_8);
      if (value.equals("unreadable")) {
        throw new SerializationException("not a string we know");
      }
      return value;
    };
    ConsumerRunner<String, String> runner = ConsumerRunner.<String, String>builder(
        config(RealKafka.uniqueName("group")), List.of(topic), new StringDeserializer(), values, (record, context) -> {
          seen.add(record.value());
          if (record.value().equals("invalid")) {
            throw new IllegalArgumentException("amount: -5 (expected: >= 0)");
          }
        }).maxAttempts(5).backoff(Backoff.constant(Duration.ofSeconds(10))).start();
    try {
      await(() -> seen.contains("ok2"));
    } finally {
      runner.close();
    }

    // Each went to the dead-letter topic on its first failure: no 10 s backoff was waited for.
    assertThat(seen).containsExactly("ok1", "invalid", "ok2");
    List<ConsumerRecord<String, String>> letters = ContextProducerTest.readAll(kafka, topic + "-dlt", 3);
    assertThat(letters).extracting(ConsumerRecord::value).containsExactly("invalid", "unreadable", "late");
    assertThat(letters).extracting(letter -> text(letter, MessageHeaders.DLT_REASON))
        .containsExactly("non-retryable", "undeserializable", "expired");
    assertThat(letters).extracting(letter -> text(letter, MessageHeaders.DLT_ATTEMPTS))
        .containsExactly("1", "0", "0");
    assertThat(letters).extracting(letter -> text(letter, MessageHeaders.DLT_EXCEPTION_FQCN)).containsExactly(
        IllegalArgumentException.class.getName(), SerializationException.class.getName(),
        "dev.blastwall.failure.DeadlineExceededException");
    assertThat(text(letters.get(0), MessageHeaders.DLT_EXCEPTION_MESSAGE)).isEqualTo("amount: -5 (expected: >= 0)");
    assertThat(text(letters.get(2), MessageHeaders.DLT_EXCEPTION_MESSAGE))
        .contains("record expired before it was handled");
    // The original headers travel with the dead letter.
    assertThat(text(letters.get(2), Headers.DEADLINE)).isNotEmpty();
  }

  @Test
  void anOpenBreakerPausesConsumptionAndItsRecoveryResumesIt() throws Exception {
    String topic = RealKafka.uniqueName("breaker");
    kafka.createTopics(2, topic, topic + "-dlt");
    FakeTicker breakerTime = new FakeTicker();
    CircuitBreaker downstream = CircuitBreaker.builder("downstream").minimumCalls(1).countWindow(1)
        .openDuration(Duration.ofMinutes(1)).halfOpenProbes(1).halfOpenSuccessesToClose(1).ticker(breakerTime)
        .build();
    downstream.tryAcquirePermit().onFailure(0, FailureKind.UNAVAILABLE);
    assertThat(downstream.state()).isEqualTo(CircuitBreaker.State.OPEN);
    List<String> handled = new CopyOnWriteArrayList<>();
    ConsumerRunner<String, String> runner = runner(RealKafka.uniqueName("group"), topic, (record, context) -> {
      CircuitBreaker.Permit permit = downstream.tryAcquirePermit();
      if (!permit.isPermitted()) {
        throw downstream.rejection("downstream", 1, 0);
      }
      handled.add(record.value());
      permit.onSuccess(0);
    }).breaker(downstream).start();
    try {
      send(topic, List.of("a", "b", "c", "d"));
      await(() -> runner.pausedPartitions().size() == 2);
      // The runner keeps polling (the group stays alive) but hands nothing over while the circuit is open.
      Thread.sleep(1_000);
      assertThat(handled).isEmpty();
      assertThat(runner.pausedPartitions()).hasSize(2);

      breakerTime.advance(Duration.ofMinutes(1));
      await(() -> handled.size() == 4);
      assertThat(downstream.state()).isEqualTo(CircuitBreaker.State.CLOSED);
      // The poll thread publishes its paused set after the poll it handled the records in.
      await(() -> runner.pausedPartitions().isEmpty());
      assertThat(handled).containsExactlyInAnyOrder("a", "b", "c", "d");
    } finally {
      runner.close();
    }
  }

  @Test
  void aConsumerKilledMidBatchAndRestartedLosesNothing() throws Exception {
    String topic = RealKafka.uniqueName("crash");
    kafka.createTopics(1, topic, topic + "-dlt");
    List<String> values = IntStream.range(0, 300).mapToObj(i -> "m" + i).toList();
    send(topic, values);
    String group = RealKafka.uniqueName("group");
    List<String> first = new CopyOnWriteArrayList<>();
    ConsumerRunner<String, String> crashing = runner(group, topic, (record, context) -> {
      if (first.size() == 170) {
        throw new Crash();
      }
      first.add(record.value());
    }).start();
    await(() -> !crashing.isRunning());
    assertThat(crashing.crash()).isInstanceOf(Crash.class);
    long committedAtCrash = committed(group, topic);
    // Killed mid-batch: the poll in flight was handled in part and not committed.
    assertThat(committedAtCrash).isLessThan(170);

    List<String> second = new CopyOnWriteArrayList<>();
    ConsumerRunner<String, String> restarted = runner(group, topic, (record, context) -> second.add(record.value()))
        .start();
    try {
      await(() -> second.contains("m299"));
    } finally {
      restarted.close();
    }
    Set<String> all = new LinkedHashSet<>(first);
    all.addAll(second);
    assertThat(all).containsExactlyInAnyOrderElementsOf(values);
    // The restart began where the commit left off: what the crash had not committed came again, in order.
    assertThat(second).isEqualTo(values.subList((int) committedAtCrash, 300));
    List<String> redelivered = new ArrayList<>(first);
    redelivered.retainAll(second);
    assertThat(redelivered).hasSize(170 - (int) committedAtCrash);
    assertThat(committed(group, topic)).isEqualTo(300);
  }

  @Test
  void aRebalanceMidStreamLosesNothingAndRepeatsNothing() throws Exception {
    String topic = RealKafka.uniqueName("rebalance");
    kafka.createTopics(2, topic, topic + "-dlt");
    List<String> values = IntStream.range(0, 400).mapToObj(i -> "r" + i).toList();
    send(topic, values);
    String group = RealKafka.uniqueName("group");
    List<String> handled = new CopyOnWriteArrayList<>();
    List<String> bySecond = new CopyOnWriteArrayList<>();
    RecordHandler<String, String> slow = (record, context) -> {
      handled.add(record.value());
      // Slow work until the second member has its share, so it joins mid-stream (a join takes seconds here).
      Thread.sleep(bySecond.isEmpty() ? 40 : 0);
    };
    // Small polls: a member takes part in a rebalance only when it polls.
    Map<String, Object> config = new java.util.HashMap<>(config(group));
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 20);
    ConsumerRunner<String, String> first = ConsumerRunner.builder(config, List.of(topic), new StringDeserializer(),
        new StringDeserializer(), slow).start();
    ConsumerRunner<String, String> second = null;
    try {
      await(() -> handled.size() >= 50);
      second = ConsumerRunner.builder(config, List.of(topic), new StringDeserializer(), new StringDeserializer(),
          (ConsumerRecord<String, String> record, dev.blastwall.context.CallContext context) -> {
            bySecond.add(record.value());
            slow.handle(record, context);
          }).start();
      await(() -> new LinkedHashSet<>(handled).size() == 400);
    } finally {
      first.close();
      if (second != null) {
        second.close();
      }
    }
    // Revocation committed what the first member had handled: the second took over from exactly there.
    assertThat(handled).hasSize(400).doesNotHaveDuplicates();
    assertThat(bySecond).as("records handled by the member that joined").isNotEmpty();
  }

  /** A handler failure that is not an Exception: the runner dies as a killed process would. */
  private static final class Crash extends Error {
    private static final long serialVersionUID = 1L;
  }

  private ConsumerRunner.Builder<String, String> runner(String group, String topic,
      RecordHandler<String, String> handler) {
    return ConsumerRunner.builder(config(group), List.of(topic), new StringDeserializer(), new StringDeserializer(),
        handler);
  }

  private Map<String, Object> config(String group) {
    return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap(), ConsumerConfig.GROUP_ID_CONFIG, group,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
  }

  private KafkaProducer<String, String> producer() {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap(),
        ProducerConfig.LINGER_MS_CONFIG, 20), new StringSerializer(), new StringSerializer());
  }

  private void send(String topic, List<String> values) throws Exception {
    List<ProducerRecord<String, String>> records = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      // Keys spread records over partitions; within one, order is the send order.
      records.add(new ProducerRecord<>(topic, "key" + (i % 4), values.get(i)));
    }
    sendAll(records);
  }

  private void sendAll(List<ProducerRecord<String, String>> records) throws Exception {
    try (KafkaProducer<String, String> producer = producer()) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (ProducerRecord<String, String> record : records) {
        sent.add(producer.send(record));
      }
      for (Future<RecordMetadata> each : sent) {
        each.get(10, TimeUnit.SECONDS);
      }
    }
  }

  private long committed(String group, String topic) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets = kafka.admin().listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    OffsetAndMetadata offset = offsets.get(new TopicPartition(topic, 0));
    return offset == null ? 0 : offset.offset();
  }

  private static byte[] bytes(ConsumerRecord<?, ?> record, String name) {
    Header header = record.headers().lastHeader(name);
    assertThat(header).as(name).isNotNull();
    return Arrays.copyOf(header.value(), header.value().length);
  }

  private static String text(ConsumerRecord<?, ?> record, String name) {
    return new String(bytes(record, name), UTF_8);
  }

  /** Waits for broker I/O on other threads: polls {@code done} until true, failing after {@link #WAIT}. */
  private static void await(BooleanSupplier done) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    while (!done.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within " + WAIT).isLessThan(end);
      Thread.sleep(20);
    }
  }
}
