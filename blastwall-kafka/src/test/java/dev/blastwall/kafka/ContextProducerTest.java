package dev.blastwall.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.context.CallContext;
import dev.blastwall.context.Cancellation;
import dev.blastwall.context.Criticality;
import dev.blastwall.context.Idempotency;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.failure.CallNotPermittedException;
import dev.blastwall.failure.DeadlineExceededException;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.propagation.ContextCodec;
import dev.blastwall.propagation.W3cTrace;
import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class ContextProducerTest {

  private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void safeConfigTurnsOnAcksAllAndIdempotenceAndBoundsBlockingUnlessSet() {
    Map<String, Object> safe = ContextProducer.safeConfig(Map.of());
    assertThat(safe).containsEntry(ProducerConfig.ACKS_CONFIG, "all")
        .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
        .containsEntry(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000L);
    assertThat(ContextProducer.safeConfig(Map.of(ProducerConfig.ACKS_CONFIG, "1")))
        .containsEntry(ProducerConfig.ACKS_CONFIG, "1");
  }

  @Test
  void sendWritesTheCallContextIntoTheRecordHeaders() {
    RealKafka kafka = RealKafka.shared();
    String topic = RealKafka.uniqueName("produce");
    kafka.createTopics(1, topic);
    CallContext context = CallContext.ROOT.withDeadline(Deadline.after(Duration.ofSeconds(30)))
        .withCriticality(Criticality.SHEDDABLE).withIdempotency(Idempotency.withKey("order-17"))
        .with(ContextCodec.TENANT, "acme").with(W3cTrace.KEY, new W3cTrace(TRACEPARENT, null));
    long before = System.currentTimeMillis();
    try (ContextProducer<String, String> producer = ContextProducer.builder("orders",
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap()), new StringSerializer(),
        new StringSerializer()).build()) {
      RecordMetadata sent = producer.send(new ProducerRecord<>(topic, "k", "v"), context);
      assertThat(sent.topic()).isEqualTo(topic);
    }

    ConsumerRecord<String, String> record = readOne(kafka, topic);
    RecordContext.Read read = RecordContext.system().read(record.headers());
    assertThat(read.refusals()).isEmpty();
    assertThat(read.messageId().value()).isEqualTo("order-17");
    CallContext received = read.callContext(Criticality.CRITICAL, Cancellation.NEVER);
    assertThat(received.criticality()).isEqualTo(Criticality.SHEDDABLE);
    assertThat(received.get(ContextCodec.TENANT)).isEqualTo("acme");
    assertThat(received.get(W3cTrace.KEY)).isEqualTo(new W3cTrace(TRACEPARENT, null));
    // The expiry is absolute: about 30 s after the send, whatever the time spent in the broker.
    long expiry = Long.parseLong(new String(record.headers().lastHeader("blastwall-deadline").value(),
        java.nio.charset.StandardCharsets.US_ASCII));
    assertThat(expiry).isBetween(before + 25_000, System.currentTimeMillis() + 30_000);
    Deadline deadline = java.util.Objects.requireNonNull(received.deadline());
    assertThat(deadline.remaining()).isBetween(Duration.ofSeconds(20), Duration.ofSeconds(30));
  }

  @Test
  void sendWithoutAnIdempotencyKeyGetsAFreshMessageId() {
    RealKafka kafka = RealKafka.shared();
    String topic = RealKafka.uniqueName("produce-id");
    kafka.createTopics(1, topic);
    try (ContextProducer<String, String> producer = ContextProducer.builder("ids",
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap()), new StringSerializer(),
        new StringSerializer()).build()) {
      producer.send(new ProducerRecord<>(topic, "k", "v"), CallContext.ROOT);
    }
    RecordContext.Read read = RecordContext.system().read(readOne(kafka, topic).headers());
    assertThat(read.messageId().value()).hasSize(36);
    assertThat(read.context().deadline().isPresent()).isFalse();
  }

  @Test
  void brokerDownFailsWithinTheDeadlineAndOpensTheBreaker() {
    CircuitBreaker breaker = CircuitBreaker.builder("broker").minimumCalls(2).countWindow(2)
        .openDuration(Duration.ofMinutes(1)).build();
    // Nothing listens on this port: the broker is down for the whole test.
    String bootstrap = "127.0.0.1:" + RealKafka.freePort();
    try (ContextProducer<String, String> producer = ContextProducer.builder("payments",
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new StringSerializer())
        .breaker(breaker).build()) {
      for (int i = 0; i < 2; i++) {
        CallContext context = CallContext.ROOT.withDeadline(Deadline.after(Duration.ofMillis(700)));
        long start = System.nanoTime();
        assertThatThrownBy(() -> producer.send(new ProducerRecord<>("payments", "k", "v"), context))
            .isInstanceOf(DeadlineExceededException.class)
            .hasMessageStartingWith("payments: deadline: no acknowledgement from the broker within the deadline");
        // The producer's own max.block.ms is 5 s; the caller still gets its answer at its deadline.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(700 + 1_000));
      }
      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
      long start = System.nanoTime();
      assertThatThrownBy(() -> producer.send(new ProducerRecord<>("payments", "k", "v"),
          CallContext.ROOT.withDeadline(Deadline.after(Duration.ofSeconds(5)))))
          .isInstanceOf(CallNotPermittedException.class).hasMessageContaining("circuit OPEN");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(200));
    }
  }

  @Test
  void aRecordThatCannotTakeHeadersFailsWithoutHoldingABreakerPermit() {
    FakeTicker breakerTime = new FakeTicker();
    CircuitBreaker breaker = CircuitBreaker.builder("broker").minimumCalls(1).countWindow(1)
        .openDuration(Duration.ofMinutes(1)).halfOpenProbes(1).ticker(breakerTime).build();
    breaker.tryAcquirePermit().onFailure(0, FailureKind.UNAVAILABLE);
    breakerTime.advance(Duration.ofMinutes(1));
    try (ContextProducer<String, String> producer = ContextProducer.builder("resend",
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + RealKafka.freePort()),
        new StringSerializer(), new StringSerializer()).breaker(breaker).build()) {
      // Kafka makes a sent record's headers read-only; sending the same record again must fail cleanly.
      ProducerRecord<String, String> sentBefore = new ProducerRecord<>("t", "k", "v");
      ((RecordHeaders) sentBefore.headers()).setReadOnly();
      assertThatThrownBy(() -> producer.send(sentBefore, CallContext.ROOT))
          .isInstanceOf(IllegalStateException.class);
      // The only half-open probe is still free: the next send is let through (and times out on the dead port).
      assertThatThrownBy(() -> producer.send(new ProducerRecord<>("t", "k", "v"),
          CallContext.ROOT.withDeadline(Deadline.after(Duration.ofMillis(300)))))
          .isInstanceOf(DeadlineExceededException.class);
    }
  }

  @Test
  void anExpiredDeadlineFailsBeforeTouchingTheProducer() {
    try (ContextProducer<String, String> producer = ContextProducer.builder("late",
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + RealKafka.freePort()),
        new StringSerializer(), new StringSerializer()).build()) {
      assertThatThrownBy(() -> producer.send(new ProducerRecord<>("t", "k", "v"),
          CallContext.ROOT.withDeadline(Deadline.after(Duration.ZERO))))
          .isInstanceOf(DeadlineExceededException.class).hasMessageContaining("expired before the send");
    }
  }

  static ConsumerRecord<String, String> readOne(RealKafka kafka, String topic) {
    return readAll(kafka, topic, 1).get(0);
  }

  /** Reads partition 0 of {@code topic} from the start until {@code count} records came, for at most 20 s. */
  static List<ConsumerRecord<String, String>> readAll(RealKafka kafka, String topic, int count) {
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
        "earliest"), new StringDeserializer(), new StringDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      List<ConsumerRecord<String, String>> records = new java.util.ArrayList<>();
      long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (records.size() < count && System.nanoTime() < end) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      assertThat(records).as("records in " + topic).hasSizeGreaterThanOrEqualTo(count);
      return records;
    }
  }
}
