package dev.blastwall.limit;

import dev.blastwall.context.CallContext;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.internal.Checks;
import dev.blastwall.server.Admission;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A concurrency limit shared fairly between partitions (tenants, endpoints, criticalities): each partition is
 * guaranteed a share of the total, may borrow what idle partitions leave unused, and gives it back as soon as
 * they want it.
 *
 * <p><b>Shares.</b> Either each partition's share is declared in percent ({@link Builder#share}), with any keys not
 * declared sharing what is left as one partition; or, with no shares declared, every active partition gets an
 * equal share, {@code limit / active partitions}, and partitions are created per key on first use (up to
 * {@link Builder#maxPartitions}; later keys share one overflow partition; partitions live as long as the
 * limiter). A guarantee is at least one request for any partition with a share.
 *
 * <p><b>Admission.</b> The total in flight never exceeds the limit. Within that, a request is admitted if its
 * partition is below its guarantee; above it, only if the free capacity exceeds what the other <em>active</em>
 * partitions are still owed (their guarantee minus what they have in flight). A partition is active while it has
 * requests in flight or asked for one within the activity window (default 1 s), refused requests included. So a
 * flooding tenant fills everything while the others are idle, but once another tenant asks, even if refused, the
 * flood is admitted only below its own share again, and each request it finishes frees a place the other can take.
 * Nothing in flight is cut short.
 *
 * <p>The total limit may be fixed ({@link Limit#fixed}) or adaptive; samples carry the total in flight.
 *
 * <p>Thread-safe and lock-free: admission is a compare-and-set on the total; partition counts are atomics. Fairness
 * is judged from counts read just before that compare-and-set, so racing admissions may briefly over-serve a
 * partition by the number of threads racing; the total is exact. Borrowing, and every admission with equal
 * shares, scans the partitions: keep {@link Builder#maxPartitions} modest.
 *
 * <p>As an {@link Admission} (for a {@code ServerCallGuard}) it partitions calls by the key
 * {@link Builder#admissionKey} takes from their context, for example {@code CallContext::criticality}.
 *
 * @param <K> the partition key
 */
public final class PartitionedLimiter<K> implements Admission {

  /** The default time a partition stays active after its last request. */
  public static final Duration DEFAULT_ACTIVITY_WINDOW = Duration.ofSeconds(1);
  /** The default cap on partitions created for equal shares. */
  public static final int DEFAULT_MAX_PARTITIONS = 64;

  private final String name;
  private final Ticker ticker;
  private final Limit limit;
  private final long activityNanos;
  private final boolean equalShares;
  private final int maxPartitions;
  private final Map<K, Partition> declared;
  private final Partition unlisted;
  private final ConcurrentHashMap<K, Partition> created = new ConcurrentHashMap<>();
  private final AtomicReference<Partition[]> partitions;
  private final AtomicInteger total = new AtomicInteger();
  private final @Nullable Function<? super CallContext, ? extends K> admissionKey;

  private PartitionedLimiter(Builder<K> builder) {
    this.name = builder.name;
    this.ticker = builder.ticker != null ? builder.ticker : Ticker.system();
    this.limit = builder.limit;
    this.activityNanos = Checks.saturatedNanos(builder.activityWindow);
    this.equalShares = builder.shares.isEmpty();
    this.maxPartitions = builder.maxPartitions;
    this.admissionKey = builder.admissionKey;
    Map<K, Partition> byKey = new LinkedHashMap<>();
    builder.shares.forEach((key, percent) -> byKey.put(key, new Partition(String.valueOf(key), percent)));
    this.declared = Map.copyOf(byKey);
    int rest = 100 - builder.shares.values().stream().mapToInt(Integer::intValue).sum();
    // With declared shares, undeclared keys share the rest; with equal shares, keys beyond the cap share one.
    this.unlisted = new Partition(equalShares ? "overflow" : "others", equalShares ? Partition.EQUAL : rest);
    Partition[] all = byKey.values().toArray(new Partition[0]);
    all = Arrays.copyOf(all, all.length + 1);
    all[all.length - 1] = unlisted;
    this.partitions = new AtomicReference<>(all);
  }

  /**
   * A builder for a limiter called {@code name} (the service named in its refusals) sharing {@code limit}. Give
   * each limiter its own limit: a limit learns from the samples of the limiter that feeds it.
   */
  public static <K> Builder<K> builder(String name, Limit limit) {
    return new Builder<>(name, limit);
  }

  /** The name given to the builder. */
  public String name() {
    return name;
  }

  /**
   * Admits a request for {@code key} if the total limit and the fairness rule allow it.
   *
   * @return the request's listener, one of whose methods must be called when it ends; {@code null} if refused
   */
  public @Nullable Listener tryAcquire(K key) {
    Partition partition = partitionFor(key);
    long now = ticker.nanos();
    partition.lastDemandNanos = now;
    if (!partition.demanded) {
      partition.demanded = true;
    }
    int max = currentLimit();
    int current;
    do {
      current = total.get();
      if (current >= max || !fair(partition, current, max, now)) {
        return null;
      }
    } while (!total.compareAndSet(current, current + 1));
    partition.inflight.incrementAndGet();
    return new Permit(partition, now, current + 1);
  }

  /**
   * Admits a request for {@code key} or refuses it.
   *
   * @throws OverloadedException policy {@code concurrency-limit}, reason {@code limit}, if refused
   */
  public Listener acquire(K key) {
    Listener listener = tryAcquire(key);
    if (listener == null) {
      throw rejection(key);
    }
    return listener;
  }

  /**
   * {@link #tryAcquire} for the partition of {@code context}'s {@link Builder#admissionKey key}.
   *
   * @throws IllegalStateException if the builder was given no {@code admissionKey}
   */
  @Override
  public @Nullable Listener tryAdmit(CallContext context) {
    return tryAcquire(keyOf(context));
  }

  /**
   * {@link #rejection(Object)} for the partition of {@code context}'s key.
   *
   * @throws IllegalStateException if the builder was given no {@code admissionKey}
   */
  @Override
  public OverloadedException rejection(CallContext context) {
    return rejection(keyOf(context));
  }

  private K keyOf(CallContext context) {
    Function<? super CallContext, ? extends K> key = admissionKey;
    if (key == null) {
      throw new IllegalStateException(name + ": admissionKey: not set (expected: builder.admissionKey(...) to admit "
          + "calls by their CallContext)");
    }
    return key.apply(context);
  }

  /**
   * The refusal for a request for {@code key} turned away now: policy {@code concurrency-limit}, reason
   * {@code limit}, detail like {@code "tenant-a: 25 in flight (guaranteed 25); 50 of 50 in flight"}.
   */
  public OverloadedException rejection(K key) {
    Partition partition = partitionFor(key);
    int max = currentLimit();
    String detail = partition.label + ": " + partition.inflight.get() + " in flight (guaranteed "
        + guarantee(partition, max, ticker.nanos()) + "); " + total.get() + " of " + max + " in flight";
    return new OverloadedException(name, "concurrency-limit", detail, -1, "limit");
  }

  /** The current total limit. */
  public int limit() {
    return currentLimit();
  }

  /** Requests in flight, all partitions together. */
  public int inflight() {
    return total.get();
  }

  /** Requests in flight in the partition {@code key} belongs to. */
  public int inflight(K key) {
    return partitionFor(key).inflight.get();
  }

  /** What {@code key}'s partition would be guaranteed if it asked now, given which partitions are active. */
  public int guaranteed(K key) {
    return guarantee(partitionFor(key), currentLimit(), ticker.nanos());
  }

  /** The total limit and the requests in flight, each read once. */
  public Snapshot snapshot() {
    return new Snapshot(currentLimit(), total.get());
  }

  /** The limit, read afresh; at least 1 whatever a custom limit returns. */
  private int currentLimit() {
    return Math.max(1, limit.limit());
  }

  @Override
  public String toString() {
    return "PartitionedLimiter[" + name + ", " + total.get() + " of " + currentLimit() + " in flight, "
        + (equalShares ? "equal shares" : "shares " + declared.keySet()) + "]";
  }

  /**
   * A point-in-time view.
   *
   * @param limit the total limit
   * @param inflight requests in flight, all partitions together
   */
  public record Snapshot(int limit, int inflight) {}

  private Partition partitionFor(K key) {
    if (!equalShares) {
      Partition partition = declared.get(key);
      return partition != null ? partition : unlisted;
    }
    Partition partition = created.get(key);
    if (partition != null) {
      return partition;
    }
    if (partitions.get().length > maxPartitions) {
      return unlisted;
    }
    return created.computeIfAbsent(key, this::newPartition);
  }

  /** Called at most once per key, under the map's lock for that key: off the hot path. */
  private Partition newPartition(K key) {
    Partition partition = new Partition(String.valueOf(key), Partition.EQUAL);
    Partition[] current;
    Partition[] next;
    do {
      current = partitions.get();
      if (current.length > maxPartitions) {
        return unlisted; // lost a race for the last places: this key shares the overflow partition for good
      }
      next = Arrays.copyOf(current, current.length + 1);
      next[current.length] = partition;
    } while (!partitions.compareAndSet(current, next));
    return partition;
  }

  /** Whether {@code partition} may take one more place while {@code current} of {@code limit} are in flight. */
  private boolean fair(Partition partition, int current, int limit, long now) {
    int mine = partition.inflight.get();
    if (mine < guarantee(partition, limit, now)) {
      return true;
    }
    // Over its share: it may only use what the other active partitions are not owed.
    int owed = 0;
    int activeCount = equalShares ? activeCount(partition, now) : 0;
    for (Partition other : partitions.get()) {
      if (other != partition && other.isActive(now, activityNanos)) {
        owed += Math.max(0, share(other, limit, activeCount) - other.inflight.get());
      }
    }
    return current + owed < limit;
  }

  private int guarantee(Partition partition, int limit, long now) {
    return share(partition, limit, equalShares ? activeCount(partition, now) : 0);
  }

  private static int share(Partition partition, int limit, int activeCount) {
    if (partition.percent == Partition.EQUAL) {
      return Math.max(1, limit / Math.max(1, activeCount));
    }
    return partition.percent == 0 ? 0 : Math.max(1, (int) ((long) limit * partition.percent / 100));
  }

  /** Active partitions, counting {@code asking} whether or not it is active yet. */
  private int activeCount(Partition asking, long now) {
    int count = 1;
    for (Partition other : partitions.get()) {
      if (other != asking && other.isActive(now, activityNanos)) {
        count++;
      }
    }
    return count;
  }

  private void release(Partition partition, long startNanos, int inflightAtStart, boolean sample, boolean dropped) {
    partition.inflight.decrementAndGet();
    total.decrementAndGet();
    if (sample) {
      limit.onSample(startNanos, ticker.nanos() - startNanos, inflightAtStart, dropped);
    }
  }

  /** One partition's count and recent demand. */
  private static final class Partition {
    static final int EQUAL = -1;

    final String label;
    /** The declared share in percent, or {@link #EQUAL}. */
    final int percent;
    final AtomicInteger inflight = new AtomicInteger();
    // Racy by design: any recent reading will do to tell an active partition from an idle one.
    volatile long lastDemandNanos;
    volatile boolean demanded;

    Partition(String label, int percent) {
      this.label = label;
      this.percent = percent;
    }

    boolean isActive(long now, long activityNanos) {
      return inflight.get() > 0 || (demanded && now - lastDemandNanos < activityNanos);
    }
  }

  /** This limiter's listener: gives back its place in the total and in its partition. */
  private final class Permit extends LimiterPermit {
    private final Partition partition;

    Permit(Partition partition, long startNanos, int inflightAtStart) {
      super(startNanos, inflightAtStart);
      this.partition = partition;
    }

    @Override
    protected void release(boolean sample, boolean dropped) {
      PartitionedLimiter.this.release(partition, startNanos, inflightAtStart, sample, dropped);
    }
  }

  /**
   * Configures a {@link PartitionedLimiter}. Not thread-safe; each option (each key's share) may be set once.
   *
   * @param <K> the partition key
   */
  public static final class Builder<K> {
    private final String name;
    private final Limit limit;
    private final Map<K, Integer> shares = new LinkedHashMap<>();
    private int maxPartitions = DEFAULT_MAX_PARTITIONS;
    private Duration activityWindow = DEFAULT_ACTIVITY_WINDOW;
    private @Nullable Ticker ticker;
    private @Nullable Function<? super CallContext, ? extends K> admissionKey;
    private boolean maxPartitionsSet;
    private boolean activitySet;

    private Builder(String name, Limit limit) {
      if (name.isBlank()) {
        throw Checks.invalidArgument("name", "\"" + name + "\"", "a non-blank name");
      }
      this.name = name;
      this.limit = limit;
    }

    /**
     * Guarantees {@code key}'s partition {@code percent} of the total limit. Without any call, every active
     * partition gets an equal share.
     *
     * @throws IllegalArgumentException if {@code percent} is outside [1, 100] or the shares add up to more than 100
     */
    public Builder<K> share(K key, int percent) {
      Checks.checkNotSet("share(" + key + ")", shares.containsKey(key));
      Checks.checkRange("percent", percent, 1, 100);
      int sum = shares.values().stream().mapToInt(Integer::intValue).sum() + percent;
      if (sum > 100) {
        throw Checks.invalidArgument("shares", sum + "%", "a total <= 100%");
      }
      shares.put(key, percent);
      return this;
    }

    /** With equal shares, the most partitions created; later keys share one more. Default 64. */
    public Builder<K> maxPartitions(int value) {
      Checks.checkNotSet("maxPartitions", maxPartitionsSet);
      maxPartitionsSet = true;
      maxPartitions = Checks.checkRange("maxPartitions", value, 1, 10_000);
      return this;
    }

    /** How long a partition counts as active after its last request; default 1 s. */
    public Builder<K> activityWindow(Duration value) {
      Checks.checkNotSet("activityWindow", activitySet);
      activitySet = true;
      activityWindow = Checks.checkPositive("activityWindow", value);
      return this;
    }

    /** The time source for rtts and activity; default {@link Ticker#system()}. */
    public Builder<K> ticker(Ticker value) {
      Checks.checkNotSet("ticker", ticker != null);
      ticker = value;
      return this;
    }

    /**
     * How a call admitted through {@link Admission#tryAdmit} is given its partition, for example
     * {@code CallContext::criticality}; default none (then only {@link #tryAcquire} and {@link #acquire} admit).
     */
    public Builder<K> admissionKey(Function<? super CallContext, ? extends K> value) {
      Checks.checkNotSet("admissionKey", admissionKey != null);
      admissionKey = value;
      return this;
    }

    /**
     * A new limiter with nothing in flight.
     *
     * @throws IllegalStateException if both shares and {@code maxPartitions} were set: the cap is for equal shares
     */
    public PartitionedLimiter<K> build() {
      if (!shares.isEmpty() && maxPartitionsSet) {
        throw new IllegalStateException(
            "maxPartitions: " + maxPartitions + " (expected: only with equal shares, i.e. no share(...) calls)");
      }
      return new PartitionedLimiter<>(this);
    }
  }
}
