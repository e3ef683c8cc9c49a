package dev.blastwall.kafka;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.context.CallContext;
import dev.blastwall.context.Cancellation;
import dev.blastwall.context.Criticality;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.failure.CallNotPermittedException;
import dev.blastwall.failure.DeadlineExceededException;
import dev.blastwall.internal.Checks;
import dev.blastwall.kafka.internal.DeadLetters;
import dev.blastwall.kafka.internal.Failures;
import dev.blastwall.retry.Backoff;
import dev.blastwall.time.RandomSource;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.jspecify.annotations.Nullable;

/**
 * Runs a {@link RecordHandler} over Kafka topics, at least once, on a poll thread of its own.
 *
 * <ul>
 *   <li><b>Order</b>: records of a partition are handled one at a time, in offset order.
 *   <li><b>Commits</b>: an offset is committed only after its record was handled, or put in the dead-letter topic;
 *       after every poll, when partitions are revoked, and on {@link #close()}. A crash loses nothing: what was not
 *       committed comes again.
 *   <li><b>Retries in place</b>: a failed record is retried after the {@link Backoff}'s delay, up to
 *       {@code maxAttempts} handler attempts. Meanwhile its partition is paused (later records of it wait; other
 *       partitions go on) and the thread keeps polling, so the group does not think it dead.
 *   <li><b>Dead letters</b> to {@code <topic>-dlt} (same partition when it has one, else the producer's choice), with
 *       {@link MessageHeaders}' headers: after the last attempt; at once for a {@linkplain Builder#nonRetryable
 *       non-retryable} failure and for a record whose key or value cannot be deserialized (the handler never sees
 *       it); and for a record whose absolute expiry passed before it came ({@link DeadLetterReason#EXPIRED}).
 *   <li><b>Backpressure</b>: while the given {@link CircuitBreaker} is open (or the handler fails with its
 *       {@link CallNotPermittedException}, which costs no attempt), every partition is paused and the record goes
 *       back; when the open time is over the runner resumes, and the handler's next calls are the breaker's probes.
 *   <li><b>Failures of the runner</b>: an {@link Error} from the handler stops it as a crash would: the poll in
 *       flight is not committed (its records come again). A dead letter that cannot be sent is retried like a failed
 *       record; the offset is never committed past a record that is neither handled nor dead-lettered.
 * </ul>
 *
 * <p>The handler must finish within {@code max.poll.interval.ms} (Kafka's default 5 minutes). Retry topics with
 * increasing delays (non-blocking retries) are not here yet.
 */
public final class ConsumerRunner<K, V> implements AutoCloseable {

  /** Handler attempts per record unless configured. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;

  /** The longest time {@link #close()} waits for the poll thread. */
  public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private static final System.Logger LOG = System.getLogger(ConsumerRunner.class.getName());
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
  private static final Duration DEAD_LETTER_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration DEAD_LETTER_RETRY = Duration.ofSeconds(1);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<byte[], byte[]> deadLetterProducer;
  private final Deserializer<K> keys;
  private final Deserializer<V> values;
  private final RecordHandler<K, V> handler;
  private final List<String> topics;
  private final String group;
  private final int maxAttempts;
  private final Backoff backoff;
  private final Set<Class<? extends Throwable>> nonRetryable;
  private final @Nullable CircuitBreaker breaker;
  private final Function<String, String> deadLetterTopic;
  private final RecordContext headers;
  private final InstantSource wallClock;
  private final Ticker ticker;
  private final Cancellation cancellation = Cancellation.create();
  private final Thread thread;

  // Poll-thread state.
  private final Map<TopicPartition, OffsetAndMetadata> processed = new HashMap<>();
  private final Map<TopicPartition, Failures> retrying = new HashMap<>();
  private final Map<String, Integer> deadLetterPartitions = new HashMap<>();
  private boolean breakerPaused;

  // Read by other threads.
  private volatile boolean running = true;
  private volatile @Nullable Throwable crash;
  private volatile Set<TopicPartition> paused = Set.of();

  private ConsumerRunner(Builder<K, V> builder) {
    Map<String, Object> config = new HashMap<>(builder.config);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    this.group = String.valueOf(config.get(ConsumerConfig.GROUP_ID_CONFIG));
    Map<String, Object> producerConfig = new HashMap<>();
    producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG));
    producerConfig.putAll(builder.deadLetterConfig);
    this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.deadLetterProducer = new KafkaProducer<>(ContextProducer.safeConfig(producerConfig),
        new ByteArraySerializer(), new ByteArraySerializer());
    this.keys = builder.keys;
    this.values = builder.values;
    this.handler = builder.handler;
    this.topics = List.copyOf(builder.topics);
    this.maxAttempts = builder.maxAttempts;
    this.backoff = builder.backoff;
    this.nonRetryable = Set.copyOf(builder.nonRetryable);
    this.breaker = builder.breaker;
    this.deadLetterTopic = builder.deadLetterTopic;
    this.headers = RecordContext.of(builder.wallClock, builder.ticker);
    this.wallClock = builder.wallClock;
    this.ticker = builder.ticker;
    this.thread = Thread.ofPlatform().name("blastwall-consumer-" + group).unstarted(this::run);
  }

  /**
   * A builder for a runner with {@code config} (bootstrap servers and group id at least; auto-commit is always
   * turned off) handling {@code topics} with {@code handler}.
   */
  public static <K, V> Builder<K, V> builder(Map<String, ?> config, Collection<String> topics,
      Deserializer<K> keys, Deserializer<V> values, RecordHandler<K, V> handler) {
    return new Builder<>(config, topics, keys, values, handler);
  }

  /** The partitions paused now (for a retry or by the breaker), as last seen by the poll thread. */
  public Set<TopicPartition> pausedPartitions() {
    return paused;
  }

  /** Whether the poll thread is still running. */
  public boolean isRunning() {
    return thread.isAlive();
  }

  /** What stopped the poll thread other than {@link #close()}, or null. */
  public @Nullable Throwable crash() {
    return crash;
  }

  /**
   * Stops polling, commits what was handled, and closes the consumer and the dead-letter producer; waits at most
   * {@link #CLOSE_TIMEOUT} for a handler in progress. Handlers see their context's cancellation cancelled.
   */
  @Override
  public void close() {
    running = false;
    cancellation.cancel(new IllegalStateException("consumer runner closed"));
    consumer.wakeup();
    try {
      thread.join(CLOSE_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private ConsumerRunner<K, V> start() {
    thread.start();
    return this;
  }

  private void run() {
    boolean crashed = false;
    try {
      consumer.subscribe(topics, new Rebalance());
      while (running) {
        resumeWhatIsDue();
        ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL_TIMEOUT);
        handle(records);
        commit();
        paused = Set.copyOf(consumer.paused());
      }
    } catch (WakeupException e) {
      // close(): fall through to the final commit.
    } catch (Throwable e) {
      crashed = true;
      crash = e;
      // As a killed process: nothing more is committed, not even by the revocation that closing triggers.
      processed.clear();
      LOG.log(System.Logger.Level.ERROR, "consumer runner for " + topics + " stopped", e);
    } finally {
      try {
        if (!crashed) {
          commit();
        }
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "final commit failed; uncommitted records will come again", e);
      } finally {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        deadLetterProducer.close(Duration.ofSeconds(5));
      }
    }
  }

  private void handle(ConsumerRecords<byte[], byte[]> records) {
    boolean stopAll = false;
    for (TopicPartition partition : records.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> batch = records.records(partition);
      Iterator<ConsumerRecord<byte[], byte[]>> each = batch.iterator();
      while (each.hasNext()) {
        ConsumerRecord<byte[], byte[]> record = each.next();
        if (stopAll || !running) {
          // Not handled: go back to it, so the position never passes an unhandled record.
          consumer.seek(partition, record.offset());
          break;
        }
        if (breakerOpen()) {
          pauseForBreaker(partition, record);
          stopAll = true;
          break;
        }
        Step step = handleOne(partition, record);
        if (step == Step.DONE) {
          processed.put(partition, new OffsetAndMetadata(record.offset() + 1));
        } else if (step == Step.BREAKER_OPEN) {
          pauseForBreaker(partition, record);
          stopAll = true;
          break;
        } else {
          consumer.seek(partition, record.offset());
          consumer.pause(List.of(partition));
          break;
        }
      }
    }
  }

  private enum Step { DONE, RETRY_LATER, BREAKER_OPEN }

  private Step handleOne(TopicPartition partition, ConsumerRecord<byte[], byte[]> raw) {
    Failures earlier = retrying.get(partition);
    if (earlier != null && earlier.offset() != raw.offset()) {
      earlier = null;
    }
    ConsumerRecord<K, V> record;
    try {
      record = new ConsumerRecord<>(raw.topic(), raw.partition(), raw.offset(), raw.timestamp(),
          raw.timestampType(), raw.serializedKeySize(), raw.serializedValueSize(),
          keys.deserialize(raw.topic(), raw.headers(), raw.key()),
          values.deserialize(raw.topic(), raw.headers(), raw.value()), raw.headers(), raw.leaderEpoch());
    } catch (RuntimeException e) {
      return deadLetter(partition, raw, DeadLetterReason.UNDESERIALIZABLE, e, earlier);
    }
    CallContext context = headers.read(raw.headers()).callContext(Criticality.CRITICAL, cancellation);
    Deadline deadline = context.deadline();
    if (deadline != null && deadline.isExpired()) {
      return deadLetter(partition, raw, DeadLetterReason.EXPIRED, new DeadlineExceededException(raw.topic(),
          "record expired before it was handled", earlier == null ? 0 : earlier.attempts(),
          deadline.remainingNanos(), null), earlier);
    }
    try {
      context.call(() -> {
        handler.handle(record, context);
        return null;
      });
      retrying.remove(partition);
      return Step.DONE;
    } catch (CallNotPermittedException e) {
      return Step.BREAKER_OPEN;
    } catch (Exception e) {
      long now = wallClock.millis();
      Failures failures = earlier == null ? Failures.first(raw.offset(), now) : earlier.again(now);
      if (isNonRetryable(e)) {
        return deadLetter(partition, raw, DeadLetterReason.NON_RETRYABLE, e, failures);
      }
      if (failures.attempts() >= maxAttempts) {
        return deadLetter(partition, raw, DeadLetterReason.ATTEMPTS_EXHAUSTED, e, failures);
      }
      long delay = backoff.delayNanos(failures.attempts() - 1, 0, RandomSource.threadLocal());
      retrying.put(partition, failures.retryAt(ticker.nanos() + delay));
      return Step.RETRY_LATER;
    }
  }

  private boolean isNonRetryable(Throwable failure) {
    for (Class<? extends Throwable> type : nonRetryable) {
      if (type.isInstance(failure)) {
        return true;
      }
    }
    return false;
  }

  private Step deadLetter(TopicPartition partition, ConsumerRecord<byte[], byte[]> raw, DeadLetterReason reason,
      Throwable failure, @Nullable Failures failures) {
    String topic = deadLetterTopic.apply(raw.topic());
    try {
      ProducerRecord<byte[], byte[]> letter = DeadLetters.of(raw, topic, deadLetterPartition(topic, raw.partition()),
          group, reason, failure, failures, wallClock.millis());
      deadLetterProducer.send(letter).get(DEAD_LETTER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      retrying.remove(partition);
      return Step.DONE;
    } catch (ExecutionException | TimeoutException | KafkaException e) {
      LOG.log(System.Logger.Level.WARNING, "dead letter to " + topic + " failed; retrying " + partition + " at "
          + raw.offset(), e);
      long now = wallClock.millis();
      Failures kept = failures != null ? failures : new Failures(raw.offset(), 0, now, now, 0);
      // The record comes again after a pause and is judged again (a handler failure is tried once more: the
      // handler must tolerate repeats anyway); the offset stays uncommitted until the dead letter is out.
      retrying.put(partition, kept.retryAt(ticker.nanos() + DEAD_LETTER_RETRY.toNanos()));
      return Step.RETRY_LATER;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Step.RETRY_LATER;
    }
  }

  /** The original record's partition when the dead-letter topic has it, else null (the producer chooses). */
  private @Nullable Integer deadLetterPartition(String topic, int original) {
    Integer count = deadLetterPartitions.get(topic);
    if (count == null) {
      List<PartitionInfo> partitions = deadLetterProducer.partitionsFor(topic);
      count = partitions.size();
      deadLetterPartitions.put(topic, count);
    }
    return original < count ? original : null;
  }

  private boolean breakerOpen() {
    if (breaker == null) {
      return false;
    }
    CircuitBreaker.State state = breaker.state();
    return state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN;
  }

  private void pauseForBreaker(TopicPartition partition, ConsumerRecord<byte[], byte[]> record) {
    consumer.seek(partition, record.offset());
    consumer.pause(consumer.assignment());
    breakerPaused = true;
  }

  private void resumeWhatIsDue() {
    if (breakerPaused) {
      if (!breakerMayPass()) {
        consumer.pause(consumer.assignment());
        return;
      }
      breakerPaused = false;
      List<TopicPartition> resume = new ArrayList<>();
      for (TopicPartition partition : consumer.paused()) {
        if (!retrying.containsKey(partition)) {
          resume.add(partition);
        }
      }
      consumer.resume(resume);
    }
    long now = ticker.nanos();
    List<TopicPartition> due = new ArrayList<>();
    for (Map.Entry<TopicPartition, Failures> entry : retrying.entrySet()) {
      if (now - entry.getValue().retryAtNanos() >= 0 && consumer.paused().contains(entry.getKey())) {
        due.add(entry.getKey());
      }
    }
    consumer.resume(due);
  }

  /**
   * Whether the breaker lets calls through again. An OPEN circuit turns HALF_OPEN only when a call asks, so the
   * runner asks once its open time is over and hands the permit straight back: the handler's calls are the probes.
   */
  private boolean breakerMayPass() {
    if (breaker == null) {
      return true;
    }
    CircuitBreaker.State state = breaker.state();
    if (state == CircuitBreaker.State.FORCED_OPEN) {
      return false;
    }
    if (state != CircuitBreaker.State.OPEN) {
      return true;
    }
    CircuitBreaker.Permit permit = breaker.tryAcquirePermit();
    if (!permit.isPermitted()) {
      return false;
    }
    permit.release();
    return true;
  }

  private void commit() {
    if (processed.isEmpty()) {
      return;
    }
    consumer.commitSync(processed);
    processed.clear();
  }

  /** Commits what was handled in revoked partitions and forgets their retry state. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      Map<TopicPartition, OffsetAndMetadata> revoked = new HashMap<>();
      for (TopicPartition partition : partitions) {
        OffsetAndMetadata offset = processed.remove(partition);
        if (offset != null) {
          revoked.put(partition, offset);
        }
        retrying.remove(partition);
      }
      if (!revoked.isEmpty()) {
        consumer.commitSync(revoked);
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (breakerPaused) {
        consumer.pause(partitions);
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      // Another member owns them now: committing would fail; their records come again to it.
      for (TopicPartition partition : partitions) {
        processed.remove(partition);
        retrying.remove(partition);
      }
    }
  }

  @Override
  public String toString() {
    return "ConsumerRunner[" + group + " on " + topics + "]";
  }

  /** Builds and starts a {@link ConsumerRunner}. Not thread-safe. */
  public static final class Builder<K, V> {

    private final Map<String, ?> config;
    private final Collection<String> topics;
    private final Deserializer<K> keys;
    private final Deserializer<V> values;
    private final RecordHandler<K, V> handler;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Backoff backoff = Backoff.exponentialFullJitter();
    private final Set<Class<? extends Throwable>> nonRetryable = new HashSet<>(List.of(SerializationException.class,
        ClassCastException.class, IllegalArgumentException.class));
    private @Nullable CircuitBreaker breaker;
    private Function<String, String> deadLetterTopic = topic -> topic + "-dlt";
    private Map<String, ?> deadLetterConfig = Map.of();
    private InstantSource wallClock = InstantSource.system();
    private Ticker ticker = Ticker.system();

    private Builder(Map<String, ?> config, Collection<String> topics, Deserializer<K> keys, Deserializer<V> values,
        RecordHandler<K, V> handler) {
      for (String required : List.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ConsumerConfig.GROUP_ID_CONFIG)) {
        if (config.get(required) == null) {
          throw Checks.invalidArgument("config", "without " + required, "bootstrap.servers and group.id set");
        }
      }
      if (topics.isEmpty()) {
        throw Checks.invalidArgument("topics", "[]", "at least one topic");
      }
      this.config = config;
      this.topics = List.copyOf(topics);
      this.keys = keys;
      this.values = values;
      this.handler = handler;
    }

    /** Handler attempts per record before it is dead-lettered, 1 to 1000 ({@link #DEFAULT_MAX_ATTEMPTS}). */
    public Builder<K, V> maxAttempts(int attempts) {
      this.maxAttempts = Checks.checkRange("maxAttempts", attempts, 1, 1_000);
      return this;
    }

    /** The wait before each retry ({@link Backoff#exponentialFullJitter()}). */
    public Builder<K, V> backoff(Backoff retryBackoff) {
      this.backoff = retryBackoff;
      return this;
    }

    /**
     * Adds a failure type that goes to the dead-letter topic at once, subclasses included. By default
     * {@link SerializationException}, {@link ClassCastException} and {@link IllegalArgumentException}.
     */
    public Builder<K, V> nonRetryable(Class<? extends Throwable> type) {
      nonRetryable.add(type);
      return this;
    }

    /** The downstream breaker: while it is open, every partition is paused. */
    public Builder<K, V> breaker(CircuitBreaker downstream) {
      this.breaker = downstream;
      return this;
    }

    /** The dead-letter topic of each topic ({@code <topic>-dlt}). */
    public Builder<K, V> deadLetterTopic(Function<String, String> naming) {
      this.deadLetterTopic = naming;
      return this;
    }

    /** Extra configuration of the dead-letter producer (it gets the consumer's bootstrap servers, acks=all). */
    public Builder<K, V> deadLetterProducerConfig(Map<String, ?> producerConfig) {
      this.deadLetterConfig = Map.copyOf(producerConfig);
      return this;
    }

    /** The clocks: the wall clock for expiry and dead-letter times, the ticker for retry delays. */
    public Builder<K, V> clocks(InstantSource wall, Ticker retryTicker) {
      this.wallClock = wall;
      this.ticker = retryTicker;
      return this;
    }

    /** Creates the consumer and the dead-letter producer and starts polling. */
    public ConsumerRunner<K, V> start() {
      return new ConsumerRunner<>(this).start();
    }
  }
}
