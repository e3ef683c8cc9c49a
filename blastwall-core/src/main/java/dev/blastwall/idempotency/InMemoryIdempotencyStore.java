package dev.blastwall.idempotency;

import dev.blastwall.internal.Checks;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The embedded default store: records in this process's memory, bounded in number and expiring on time.
 *
 * <p>It deduplicates retries that reach this process while it runs. A restart forgets every record, and replicas do
 * not share them: a retry that lands after a restart, or on another replica, runs again. Services that must not
 * repeat an effect across restarts use a durable store (the JDBC or Redis modules).
 *
 * <h2>Bounded memory</h2>
 *
 * <p>At most {@code maxEntries} records exist. Expired records (a lease or a TTL that ran out) are dropped when met
 * and by a sweep when the store is full. When it is still full, the oldest completed record is evicted early and
 * {@link #evictions()} counts it: a retry of that key would run again, so a non-zero count means the store is too
 * small for the traffic and TTL. A record in progress is never evicted while its lease holds; when only such
 * records remain, {@link #begin} fails with {@link IdempotencyStoreException} (fail closed) rather than forget one.
 *
 * <p>Thread-safe and lock-free in its own code: each record is immutable and replaced by compare-and-set on a
 * {@link ConcurrentHashMap}, so no caller's code runs while a map bin is held.
 */
public final class InMemoryIdempotencyStore implements IdempotencyStore {

  /** The default {@link Builder#maxEntries}. */
  public static final int DEFAULT_MAX_ENTRIES = 100_000;

  /** Largest accepted response body by default: a replay is a copy in memory. */
  public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;

  private final Ticker ticker;
  private final int maxEntries;
  private final int maxBodyBytes;
  private final ConcurrentHashMap<IdempotencyKey, Entry> entries = new ConcurrentHashMap<>();
  /** Keys in the order they were first inserted, for oldest-first eviction; stale nodes are skipped. */
  private final ConcurrentLinkedQueue<Arrival> arrivals = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicLong generations = new AtomicLong();
  private final AtomicLong evictions = new AtomicLong();

  private InMemoryIdempotencyStore(Builder builder) {
    this.ticker = builder.ticker != null ? builder.ticker : Ticker.system();
    this.maxEntries = builder.maxEntries;
    this.maxBodyBytes = builder.maxBodyBytes;
  }

  /** A store with the defaults: {@value #DEFAULT_MAX_ENTRIES} records, the system ticker. */
  public static InMemoryIdempotencyStore create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Begin begin(IdempotencyKey key, Fingerprint fingerprint, Duration lease) {
    long leaseNanos = Checks.saturatedNanos(Checks.checkRange("lease", lease, Duration.ofMillis(1), MAX_DURATION));
    for (;;) {
      long now = ticker.nanos();
      Entry current = entries.get(key);
      if (current == null) {
        reserveRoom(now);
        long generation = generations.incrementAndGet();
        String token = "m" + generation;
        Entry claim = Entry.inProgress(generation, fingerprint, token, now + leaseNanos);
        if (entries.putIfAbsent(key, claim) == null) {
          arrivals.add(new Arrival(key, generation));
          return new Begin.Started(new Lease(key, fingerprint, token));
        }
        size.decrementAndGet(); // another caller inserted first: give the reserved room back and look again
        continue;
      }
      if (now - current.expiresAt() >= 0) {
        // The owner's lease or the record's TTL ran out: the key is free again, claimed in place.
        long generation = generations.incrementAndGet();
        String token = "m" + generation;
        Entry claim = Entry.inProgress(current.generation(), fingerprint, token, now + leaseNanos);
        if (entries.replace(key, current, claim)) {
          return new Begin.Started(new Lease(key, fingerprint, token));
        }
        continue;
      }
      if (!current.fingerprint().equals(fingerprint)) {
        return new Begin.Mismatch();
      }
      StoredResponse response = current.response();
      if (response != null) {
        return new Begin.Replay(response);
      }
      return new Begin.InProgress(Duration.ofNanos(current.expiresAt() - now));
    }
  }

  @Override
  public boolean complete(Lease lease, StoredResponse response, Duration ttl) {
    long ttlNanos = Checks.saturatedNanos(Checks.checkRange("ttl", ttl, Duration.ofMillis(1), MAX_DURATION));
    if (response.bodyLength() > maxBodyBytes) {
      throw Checks.invalidArgument("response.body", response.bodyLength() + " bytes", "<= " + maxBodyBytes + " bytes");
    }
    Entry current = entries.get(lease.key());
    if (current == null || !lease.token().equals(current.token())) {
      return false;
    }
    Entry done = Entry.completed(current.generation(), current.fingerprint(), response, ticker.nanos() + ttlNanos);
    return entries.replace(lease.key(), current, done);
  }

  @Override
  public void release(Lease lease) {
    Entry current = entries.get(lease.key());
    if (current != null && lease.token().equals(current.token()) && entries.remove(lease.key(), current)) {
      size.decrementAndGet();
    }
  }

  @Override
  public boolean renew(Lease lease, Duration duration) {
    long leaseNanos = Checks.saturatedNanos(Checks.checkRange("lease", duration, Duration.ofMillis(1), MAX_DURATION));
    for (;;) {
      Entry current = entries.get(lease.key());
      long now = ticker.nanos();
      if (current == null || !lease.token().equals(current.token()) || now - current.expiresAt() >= 0) {
        return false; // gone, someone else's, completed (no token), or already run out
      }
      Entry renewed = Entry.inProgress(current.generation(), current.fingerprint(), lease.token(), now + leaseNanos);
      if (entries.replace(lease.key(), current, renewed)) {
        return true;
      }
    }
  }

  /** How many completed records were dropped before their TTL ran out to make room. */
  public long evictions() {
    return evictions.get();
  }

  /** How many records (in progress or completed, expired ones not yet swept included) the store holds. */
  public int size() {
    return size.get();
  }

  /** Drops every expired record now; returns how many. */
  public int purgeExpired() {
    long now = ticker.nanos();
    int purged = 0;
    for (var e : entries.entrySet()) {
      Entry entry = e.getValue();
      if (now - entry.expiresAt() >= 0 && entries.remove(e.getKey(), entry)) {
        size.decrementAndGet();
        purged++;
      }
    }
    return purged;
  }

  /** Takes one slot of {@code maxEntries}, making room first when the store is full. */
  private void reserveRoom(long now) {
    if (size.incrementAndGet() <= maxEntries) {
      return;
    }
    size.decrementAndGet();
    if (purgeExpired() > 0 && size.incrementAndGet() <= maxEntries) {
      return;
    }
    // Oldest first; a live lease goes back to the end of the queue. One pass over the queue at most.
    for (int tries = arrivals.size(); tries > 0; tries--) {
      Arrival oldest = arrivals.poll();
      if (oldest == null) {
        break;
      }
      Entry entry = entries.get(oldest.key());
      if (entry == null || entry.generation() != oldest.generation()) {
        continue; // the record this node stood for is gone
      }
      if (entry.response() == null && now - entry.expiresAt() < 0) {
        arrivals.add(oldest);
        continue;
      }
      if (entries.remove(oldest.key(), entry)) {
        size.decrementAndGet();
        if (now - entry.expiresAt() < 0) {
          evictions.incrementAndGet();
        }
        if (size.incrementAndGet() <= maxEntries) {
          return;
        }
        size.decrementAndGet();
      }
    }
    throw new IdempotencyStoreException("in-memory idempotency store full: " + maxEntries
        + " requests in progress (expected: fewer concurrent keyed requests, or a larger maxEntries)");
  }

  /** One record; immutable, replaced whole. A completed record has a response and no token. */
  private record Entry(long generation, Fingerprint fingerprint, @Nullable String token,
      @Nullable StoredResponse response, long expiresAt) {

    static Entry inProgress(long generation, Fingerprint fingerprint, String token, long leaseEnds) {
      return new Entry(generation, fingerprint, token, null, leaseEnds);
    }

    static Entry completed(long generation, Fingerprint fingerprint, StoredResponse response, long ttlEnds) {
      return new Entry(generation, fingerprint, null, response, ttlEnds);
    }
  }

  private record Arrival(IdempotencyKey key, long generation) {}

  /** Options for an {@link InMemoryIdempotencyStore}. */
  public static final class Builder {
    private @Nullable Ticker ticker;
    private int maxEntries = DEFAULT_MAX_ENTRIES;
    private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;

    private Builder() {}

    /** The time source for leases and TTLs; tests pass a {@code FakeTicker}. */
    public Builder ticker(Ticker ticker) {
      this.ticker = ticker;
      return this;
    }

    /** How many records the store holds at most (1 to 100,000,000). */
    public Builder maxEntries(int maxEntries) {
      this.maxEntries = Checks.checkRange("maxEntries", maxEntries, 1, 100_000_000);
      return this;
    }

    /** Largest response body the store keeps (0 to 64 MiB); a larger one is refused by {@code complete}. */
    public Builder maxBodyBytes(int maxBodyBytes) {
      this.maxBodyBytes = Checks.checkRange("maxBodyBytes", maxBodyBytes, 0, 64 << 20);
      return this;
    }

    public InMemoryIdempotencyStore build() {
      return new InMemoryIdempotencyStore(this);
    }
  }
}
