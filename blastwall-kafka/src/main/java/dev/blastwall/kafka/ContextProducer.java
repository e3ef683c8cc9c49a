package dev.blastwall.kafka;

import dev.blastwall.breaker.CircuitBreaker;
import dev.blastwall.context.CallContext;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.failure.BlastwallException;
import dev.blastwall.failure.DeadlineExceededException;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.internal.Checks;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.Serializer;
import org.jspecify.annotations.Nullable;

/**
 * A Kafka producer as safe as a Blastwall call: every record carries the sender's call context in its headers
 * ({@link RecordContext}: absolute expiry, criticality, tenant, trace, message id); {@code acks=all} and
 * idempotence are on unless the configuration says otherwise; and {@link #send} returns or fails within the
 * caller's deadline (or {@code defaultTimeout} without one), never blocking on a broker that is gone.
 *
 * <p>How the deadline is kept: {@code KafkaProducer.send} itself may block (waiting for metadata or buffer space,
 * up to {@code max.block.ms}, which this class caps at {@code maxBlock}), so it runs on a virtual thread and the
 * caller waits for the acknowledgement no longer than its deadline. A caller that gave up gets a
 * {@link DeadlineExceededException}; the record may still be delivered later (at least once; the message id lets
 * the consumer deduplicate). Broker failures (Kafka's retriable errors and timeouts, and our own waits that ran
 * out) are reported to the optional {@link CircuitBreaker}; while it is open, {@code send} fails at once with its
 * {@link dev.blastwall.failure.CallNotPermittedException}.
 *
 * <p>Thread-safe, as {@code KafkaProducer} is. Close it to close the producer.
 */
public final class ContextProducer<K, V> implements AutoCloseable {

  /** The producer's {@code max.block.ms} unless configured lower: a send's longest wait inside Kafka. */
  public static final Duration DEFAULT_MAX_BLOCK = Duration.ofSeconds(5);

  /** How long {@link #send} waits for a caller without a deadline. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private final Producer<K, V> producer;
  private final String name;
  private final RecordContext headers;
  private final @Nullable CircuitBreaker breaker;
  private final Duration defaultTimeout;
  private final Ticker ticker;
  private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();

  private ContextProducer(Producer<K, V> producer, String name, RecordContext headers,
      @Nullable CircuitBreaker breaker, Duration defaultTimeout, Ticker ticker) {
    this.producer = producer;
    this.name = name;
    this.headers = headers;
    this.breaker = breaker;
    this.defaultTimeout = defaultTimeout;
    this.ticker = ticker;
  }

  /**
   * The producer configuration this class uses for {@code config}: {@code acks=all},
   * {@code enable.idempotence=true} and {@code max.block.ms} at most {@link #DEFAULT_MAX_BLOCK} unless set.
   */
  public static Map<String, Object> safeConfig(Map<String, ?> config) {
    Map<String, Object> safe = new HashMap<>(config);
    safe.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
    safe.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    safe.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, DEFAULT_MAX_BLOCK.toMillis());
    return safe;
  }

  /** A builder for a producer named {@code name} (the upstream in error messages) with {@code config}. */
  public static <K, V> Builder<K, V> builder(String name, Map<String, ?> config, Serializer<K> keySerializer,
      Serializer<V> valueSerializer) {
    return new Builder<>(name, config, keySerializer, valueSerializer);
  }

  /** Sends {@code record} in the current {@link CallContext}. */
  public RecordMetadata send(ProducerRecord<K, V> record) {
    return send(record, CallContext.current());
  }

  /**
   * Sends {@code record} with {@code context} in its headers and waits for the broker's acknowledgement, at most
   * until the context's deadline (or {@code defaultTimeout}).
   *
   * @throws DeadlineExceededException the deadline passed first (the record may still arrive later)
   * @throws dev.blastwall.failure.CallNotPermittedException the breaker is open
   * @throws KafkaSendException Kafka refused or failed the send
   */
  public RecordMetadata send(ProducerRecord<K, V> record, CallContext context) {
    Deadline deadline = context.deadline();
    Deadline bound = deadline != null ? deadline : Deadline.after(defaultTimeout, ticker);
    if (bound.isExpired()) {
      throw new DeadlineExceededException(name, "expired before the send", 0, bound.remainingNanos(), null);
    }
    // Before the permit: a record sent before has read-only headers, and that failure must not hold a permit.
    headers.write(context, RecordContext.messageIdFor(context), record.headers());
    CircuitBreaker.@Nullable Permit permit = null;
    if (breaker != null) {
      permit = breaker.tryAcquirePermit();
      if (!permit.isPermitted()) {
        throw breaker.rejection(name, 0, bound.remainingNanos());
      }
    }
    long start = ticker.nanos();
    CompletableFuture<RecordMetadata> acknowledged = new CompletableFuture<>();
    try {
      senders.execute(() -> send(record, acknowledged));
    } catch (RuntimeException e) {
      // Closed: no send was made, so the breaker learns nothing from it.
      if (permit != null) {
        permit.release();
      }
      throw e;
    }
    return await(record, acknowledged, bound, permit, start);
  }

  private void send(ProducerRecord<K, V> record, CompletableFuture<RecordMetadata> acknowledged) {
    try {
      // The callback completes `acknowledged` with the same outcome as this future.
      var unused = producer.send(record, (metadata, failure) -> {
        if (failure != null) {
          acknowledged.completeExceptionally(failure);
        } else {
          acknowledged.complete(metadata);
        }
      });
    } catch (RuntimeException e) {
      acknowledged.completeExceptionally(e);
    }
  }

  private RecordMetadata await(ProducerRecord<K, V> record, CompletableFuture<RecordMetadata> acknowledged,
      Deadline bound, CircuitBreaker.@Nullable Permit permit, long start) {
    try {
      RecordMetadata metadata = acknowledged.get(Math.max(0, bound.remainingNanos()), TimeUnit.NANOSECONDS);
      succeeded(permit, start);
      return metadata;
    } catch (TimeoutException e) {
      failed(permit, start, FailureKind.TIMEOUT);
      throw new DeadlineExceededException(name, "no acknowledgement from the broker within the deadline"
          + " (is it reachable?)", 1, bound.remainingNanos(), null);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      boolean brokerTrouble = cause instanceof RetriableException
          || cause instanceof org.apache.kafka.common.errors.TimeoutException;
      if (brokerTrouble) {
        failed(permit, start, FailureKind.UNAVAILABLE);
      } else {
        failed(permit, start, FailureKind.INVALID);
      }
      if (cause instanceof BlastwallException blastwall) {
        throw blastwall;
      }
      throw new KafkaSendException(name + ": send to " + record.topic() + " failed: " + cause, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (permit != null) {
        permit.release();
      }
      throw new KafkaSendException(name + ": interrupted while waiting for the broker", e);
    }
  }

  private void succeeded(CircuitBreaker.@Nullable Permit permit, long start) {
    if (permit != null) {
      permit.onSuccess(ticker.nanos() - start);
    }
  }

  private void failed(CircuitBreaker.@Nullable Permit permit, long start, FailureKind kind) {
    if (permit != null) {
      permit.onFailure(ticker.nanos() - start, kind);
    }
  }

  /** Flushes nothing and closes the producer, waiting at most {@code timeout} for records in flight. */
  public void close(Duration timeout) {
    producer.close(timeout);
    senders.shutdown();
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }

  @Override
  public String toString() {
    return "ContextProducer[" + name + "]";
  }

  /** Builds a {@link ContextProducer}. Not thread-safe. */
  public static final class Builder<K, V> {

    private final String name;
    private final Map<String, ?> config;
    private final Serializer<K> keySerializer;
    private final Serializer<V> valueSerializer;
    private @Nullable CircuitBreaker breaker;
    private Duration defaultTimeout = DEFAULT_TIMEOUT;
    private RecordContext headers = RecordContext.system();
    private Ticker ticker = Ticker.system();

    private Builder(String name, Map<String, ?> config, Serializer<K> keySerializer,
        Serializer<V> valueSerializer) {
      this.name = name;
      this.config = config;
      this.keySerializer = keySerializer;
      this.valueSerializer = valueSerializer;
    }

    /** The breaker that sees broker failures and, while open, fails sends at once. */
    public Builder<K, V> breaker(CircuitBreaker circuitBreaker) {
      this.breaker = circuitBreaker;
      return this;
    }

    /** How long a send without a deadline waits for the acknowledgement ({@link #DEFAULT_TIMEOUT}). */
    public Builder<K, V> defaultTimeout(Duration timeout) {
      this.defaultTimeout = Checks.checkPositive("defaultTimeout", timeout);
      return this;
    }

    /** The clocks: the wall clock for the expiry header and the ticker for deadlines (tests pin them). */
    public Builder<K, V> clocks(java.time.InstantSource wallClock, Ticker deadlineTicker) {
      this.headers = RecordContext.of(wallClock, deadlineTicker);
      this.ticker = deadlineTicker;
      return this;
    }

    /** A new {@code KafkaProducer} with {@link #safeConfig} wrapped in a {@link ContextProducer}. */
    public ContextProducer<K, V> build() {
      return new ContextProducer<>(new KafkaProducer<>(safeConfig(config), keySerializer, valueSerializer), name,
          headers, breaker, defaultTimeout, ticker);
    }
  }
}
