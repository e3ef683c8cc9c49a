package dev.blastwall.overload;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Criticality;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.internal.Checks;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A bounded queue of requests in front of a fixed number of workers, which never lets a request wait for nothing.
 *
 * <p>The caller's workers take requests with {@link #poll()} (or the blocking {@link #take()}) and report how
 * long each ran with {@link #recordServiceTime}; the queue has no threads of its own, so a simulation can drive it
 * on fake time. Every refusal is an {@link OverloadedException} with policy {@code queue}:
 * <ul>
 *   <li>{@link #submit} refuses a request when the queue is full (reason {@code queue-full}), when its deadline
 *       has passed, or when the estimated queue wait (requests ahead &times; mean service time / workers) is
 *       longer than the deadline left, so it could not even start in time (reason {@code deadline});
 *   <li>on the way out, requests whose deadline passed while queued are dropped without running (reason
 *       {@code deadline}), and so are requests that waited longer than the target while their class is
 *       overloaded (reason {@code shed}, see below). Dropped requests go to the {@link DropHandler}, which must
 *       answer them.
 * </ul>
 *
 * <p>More critical requests are served first: each {@link Criticality} has its own lane and a worker takes from
 * the most critical lane that is not empty. A slot reserved by admission control is worth little if the request
 * then waits behind the backlog of a class being shed.
 *
 * <p><b>Controlled delay.</b> A lane is <em>overloaded</em> once its oldest request has waited longer than
 * {@linkplain Builder#targetDelay the target} (default 10 ms) for a whole {@linkplain Builder#interval interval}
 * (default 100 ms): a standing queue, not a burst. While overloaded the lane serves the newest request first
 * (adaptive LIFO: fresh requests still meet their deadlines while stale ones, whose callers have likely given up,
 * wait at the back) and drops requests that waited past the target instead of running them (CoDel-style). It goes
 * back to FIFO when a worker finds the lane drained and no request in it has waited past the target for an
 * interval; returning at the first empty moment would flap, since dropping stale requests empties the lane often
 * while the overload goes on.
 *
 * <pre>{@code
 * BoundedWorkQueue<Call> queue = BoundedWorkQueue.<Call>builder("orders", 90, (call, reason) -> {
 *       admission.release();
 *       call.fail(reason);                       // RESOURCE_EXHAUSTED / 503 with reason.retryAfterNanos()
 *     }).workers(10).build();
 *
 * queue.submit(call, CallContext.current());     // an OverloadedException here is answered the same way
 *
 * // each of the 10 workers:
 * while (true) {
 *   Call call = queue.take();
 *   long start = ticker.nanos();
 *   try {
 *     call.run();
 *   } finally {
 *     queue.recordServiceTime(ticker.nanos() - start);
 *     admission.release(ticker.nanos() - call.arrivedAt());
 *   }
 * }
 * }</pre>
 *
 * <p>Thread-safe. One {@link ReentrantLock} guards the lanes (never a monitor lock, which would pin virtual
 * threads); the drop handler runs after the lock is released, on the thread that submitted or polled.
 *
 * @param <T> the queued requests
 */
public final class BoundedWorkQueue<T> {

  /** The default target queue wait: about one service time of a typical RPC, far below its deadline. */
  public static final Duration DEFAULT_TARGET_DELAY = Duration.ofMillis(10);

  /** The default interval over which the wait must stay above the target before the queue counts as overloaded. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(100);

  private static final Criticality[] BY_RANK = byRank();

  /** Answers a request the queue dropped without running it. */
  @FunctionalInterface
  public interface DropHandler<T> {
    /**
     * Called once for each dropped request, on the thread that submitted or polled, with no lock held. It should
     * answer the request with {@code reason} (and release any admission slot it holds). It must not throw: an
     * exception goes to the thread's uncaught exception handler, so it cannot lose the other drops or the request
     * being dequeued.
     */
    void dropped(T item, OverloadedException reason);
  }

  private final String name;
  private final int capacity;
  private final int workers;
  private final Ticker ticker;
  private final long targetNanos;
  private final long intervalNanos;
  private final boolean adaptiveLifo;
  private final DropHandler<? super T> onDrop;
  private final QueueAdmission admission;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final List<Lane> lanes;

  // Guarded by lock.
  private int size;
  private long accepted;
  private long rejectedFull;
  private long rejectedDeadline;
  private long droppedExpired;
  private long droppedStale;
  private long served;
  private long totalWaitNanos;
  private long maxWaitNanos;
  private long recentWaitNanos = -1;
  private long overloadEpisodes;

  private BoundedWorkQueue(Builder<T> builder) {
    this.name = builder.name;
    this.capacity = builder.capacity;
    this.workers = builder.workers;
    this.ticker = builder.ticker;
    this.targetNanos = Checks.saturatedNanos(builder.targetDelay);
    this.intervalNanos = Checks.saturatedNanos(builder.interval);
    this.adaptiveLifo = builder.adaptiveLifo;
    this.onDrop = builder.onDrop;
    this.admission = new QueueAdmission(workers);
    List<Lane> byRank = new ArrayList<>(BY_RANK.length);
    for (Criticality criticality : BY_RANK) {
      byRank.add(new Lane(criticality,
          new OverloadControl(targetNanos, intervalNanos, builder.adaptiveLifo, builder.dropStale)));
    }
    this.lanes = List.copyOf(byRank);
  }

  /**
   * A builder for a queue called {@code name} holding at most {@code capacity} requests, whose dropped requests
   * go to {@code onDrop}.
   *
   * @throws IllegalArgumentException if {@code name} is blank or {@code capacity} is below 1
   */
  public static <T> Builder<T> builder(String name, int capacity, DropHandler<? super T> onDrop) {
    return new Builder<>(name, capacity, onDrop);
  }

  /** The name given to the builder; refusals carry it as their service. */
  public String name() {
    return name;
  }

  /** The most requests queued at once. */
  public int capacity() {
    return capacity;
  }

  // --- in -----------------------------------------------------------------------------------------------------

  /**
   * Queues {@code item}, judged by {@code context}'s criticality (its lane) and deadline.
   *
   * @throws OverloadedException with reason {@code deadline} if the deadline has passed or would pass before the
   *     request could start by the estimated queue wait, or {@code queue-full} if the queue is full even after
   *     dropping what had already expired; nothing was queued then
   */
  public void submit(T item, CallContext context) {
    Deadline deadline = context.deadline();
    Lane lane = lanes.get(context.criticality().rank());
    List<Drop<T>> drops = new ArrayList<>(0);
    String refusal = null;
    String reason = null;
    long retryAfter = 0;
    lock.lock();
    try {
      long now = ticker.nanos();
      updateOverload(lane, now);
      long remaining = deadline == null ? Long.MAX_VALUE : deadline.remainingNanos();
      refusal = admission.refusal(remaining, ahead(lane));
      if (refusal != null) {
        reason = "deadline";
        rejectedDeadline++;
      } else {
        if (size >= capacity) {
          // Make room from what is dead already before refusing a live request.
          for (Lane each : lanes) {
            purgeHead(each, now, drops);
          }
        }
        if (size >= capacity) {
          refusal = "queue full: " + size + " of " + capacity + " queued";
          reason = "queue-full";
          rejectedFull++;
        } else {
          lane.entries.addLast(new Entry<>(item, deadline, now));
          size++;
          accepted++;
          notEmpty.signal();
        }
      }
      retryAfter = retryAfterLocked();
    } finally {
      lock.unlock();
    }
    deliver(drops);
    if (refusal != null) {
      throw new OverloadedException(name, "queue", refusal, retryAfter, reason);
    }
  }

  // --- out ----------------------------------------------------------------------------------------------------

  /**
   * The next request to run, or {@code null} when none is queued. Requests dropped on the way (deadline passed,
   * or stale in an overloaded lane) go to the drop handler before this returns.
   */
  public @Nullable T poll() {
    List<Drop<T>> drops = new ArrayList<>(0);
    T item;
    lock.lock();
    try {
      item = pollLocked(drops);
    } finally {
      lock.unlock();
    }
    deliver(drops);
    return item;
  }

  /**
   * The next request to run, waiting for one if none is queued. For real worker threads; simulations use
   * {@link #poll()}. The wait parks the thread (it never pins a virtual thread).
   *
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  public T take() throws InterruptedException {
    while (true) {
      List<Drop<T>> drops = new ArrayList<>(0);
      T item;
      lock.lockInterruptibly();
      try {
        item = pollLocked(drops);
        if (item == null && drops.isEmpty()) {
          notEmpty.await();
        }
      } finally {
        lock.unlock();
      }
      deliver(drops);
      if (item != null) {
        return item;
      }
    }
  }

  /**
   * Records how long a worker ran one request; the recent average drives the queue-wait estimate that refuses
   * requests which could not start before their deadline. Until the first sample that estimate is zero.
   */
  public void recordServiceTime(long serviceNanos) {
    admission.recordServiceTime(serviceNanos);
  }

  private @Nullable T pollLocked(List<Drop<T>> drops) {
    long now = ticker.nanos();
    // Every lane is looked at, not just the one served: a lane starved by more critical ones is the likeliest to
    // hold a standing queue, and its dead requests should be answered (and free their admission slots) now.
    for (Lane lane : lanes) {
      updateOverload(lane, now);
      purgeHead(lane, now, drops);
    }
    for (Lane lane : lanes) {
      while (!lane.entries.isEmpty()) {
        Entry<T> entry = lane.control.servesNewestFirst() ? lane.entries.removeLast() : lane.entries.removeFirst();
        size--;
        long waited = now - entry.enqueuedAt;
        if (entry.deadline != null && entry.deadline.isExpired()) {
          dropExpired(entry, waited, drops);
          continue;
        }
        if (lane.control.dropsWhenServed(waited, now)) {
          dropStale(lane, entry, waited, drops);
          continue;
        }
        recordWait(waited);
        return entry.item;
      }
      lane.control.drained(now);
    }
    return null;
  }

  /** Drops requests at the old end of {@code lane} that are dead already: expired, or stale while overloaded. */
  private void purgeHead(Lane lane, long now, List<Drop<T>> drops) {
    for (Entry<T> oldest = lane.entries.peekFirst(); oldest != null; oldest = lane.entries.peekFirst()) {
      long waited = now - oldest.enqueuedAt;
      if (oldest.deadline != null && oldest.deadline.isExpired()) {
        lane.entries.removeFirst();
        size--;
        dropExpired(oldest, waited, drops);
      } else if (lane.control.dropsAtHead(waited, now)) {
        lane.entries.removeFirst();
        size--;
        dropStale(lane, oldest, waited, drops);
      } else {
        return;
      }
    }
  }

  /** Lets the lane's controller look at its oldest request, counting an overload episode when one begins. */
  private void updateOverload(Lane lane, long now) {
    Entry<T> oldest = lane.entries.peekFirst();
    if (oldest == null) {
      lane.control.lookedAtEmpty();
    } else if (lane.control.lookedAtOldest(oldest.enqueuedAt, now)) {
      overloadEpisodes++;
    }
  }

  private void dropExpired(Entry<T> entry, long waited, List<Drop<T>> drops) {
    droppedExpired++;
    drops.add(new Drop<>(entry.item, "deadline passed after " + millis(waited) + " queued", "deadline",
        retryAfterLocked()));
  }

  private void dropStale(Lane lane, Entry<T> entry, long waited, List<Drop<T>> drops) {
    droppedStale++;
    drops.add(new Drop<>(entry.item, "shed after " + millis(waited) + " queued (target " + millis(targetNanos)
        + ", " + lane.criticality + " queue overloaded)", "shed", retryAfterLocked()));
  }

  private void recordWait(long waited) {
    served++;
    totalWaitNanos += waited;
    maxWaitNanos = Math.max(maxWaitNanos, waited);
    recentWaitNanos = recentWaitNanos < 0 ? waited : recentWaitNanos + ((waited - recentWaitNanos) >> 3);
  }

  private void deliver(List<Drop<T>> drops) {
    for (Drop<T> drop : drops) {
      try {
        onDrop.dropped(drop.item, new OverloadedException(name, "queue", drop.detail, drop.retryAfterNanos,
            drop.reason));
      } catch (RuntimeException handlerFailed) {
        Thread thread = Thread.currentThread();
        thread.getUncaughtExceptionHandler().uncaughtException(thread, handlerFailed);
      }
    }
  }

  // --- estimates ----------------------------------------------------------------------------------------------

  /** Requests a new one in {@code lane} would wait behind: higher lanes, plus its own unless it is served LIFO. */
  private int ahead(Lane lane) {
    int ahead = 0;
    for (Lane each : lanes) {
      if (each == lane) {
        return lane.control.servesNewestFirst() ? ahead : ahead + each.entries.size();
      }
      ahead += each.entries.size();
    }
    throw new AssertionError("lane " + lane.criticality + " not in this queue");
  }

  private long retryAfterLocked() {
    return admission.retryAfterNanos(targetNanos, size);
  }

  /**
   * How long a request of {@code criticality} submitted now is estimated to wait before it starts: the requests
   * ahead of it &times; the recent mean service time / workers. Zero until a service time was recorded.
   */
  public long estimatedWaitNanos(Criticality criticality) {
    lock.lock();
    try {
      return admission.waitFor(ahead(lanes.get(criticality.rank())));
    } finally {
      lock.unlock();
    }
  }

  // --- diagnostics --------------------------------------------------------------------------------------------

  /** Whether the lane of {@code criticality} is overloaded (serving LIFO if enabled, dropping stale requests). */
  public boolean isOverloaded(Criticality criticality) {
    lock.lock();
    try {
      return lanes.get(criticality.rank()).control.overloaded();
    } finally {
      lock.unlock();
    }
  }

  /** Whether the lane of {@code criticality} now serves the newest request first. */
  public boolean isLifo(Criticality criticality) {
    return adaptiveLifo && isOverloaded(criticality);
  }

  /** Requests queued now. */
  public int size() {
    lock.lock();
    try {
      return size;
    } finally {
      lock.unlock();
    }
  }

  /** The current counts and queue-wait statistics, read together. */
  public Snapshot snapshot() {
    lock.lock();
    try {
      List<Criticality> overloaded = new ArrayList<>();
      for (Lane lane : lanes) {
        if (lane.control.overloaded()) {
          overloaded.add(lane.criticality);
        }
      }
      return new Snapshot(size, capacity, overloaded, accepted, rejectedFull, rejectedDeadline, droppedExpired,
          droppedStale, served, overloadEpisodes, served == 0 ? 0 : totalWaitNanos / served, recentWaitNanos,
          maxWaitNanos, admission.meanServiceNanos());
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    Snapshot snapshot = snapshot();
    return "BoundedWorkQueue[" + name + ", " + snapshot.queued() + " of " + capacity + " queued, workers=" + workers
        + ", target=" + Duration.ofNanos(targetNanos) + ", interval=" + Duration.ofNanos(intervalNanos)
        + ", overloaded=" + snapshot.overloaded() + "]";
  }

  /**
   * A queue's counts at one moment.
   *
   * @param queued requests queued now
   * @param capacity the most requests queued at once
   * @param overloaded the criticalities whose lanes are overloaded now
   * @param accepted requests queued since the queue was built
   * @param rejectedFull requests refused because the queue was full
   * @param rejectedDeadline requests refused at submit because their deadline had passed or would pass before
   *     they could start
   * @param droppedExpired queued requests dropped because their deadline passed while they waited
   * @param droppedStale queued requests dropped because they waited past the target in an overloaded lane
   * @param served requests handed to a worker
   * @param overloadEpisodes how many times a lane became overloaded
   * @param meanWaitNanos the mean queue wait of the requests served, or 0 before the first
   * @param recentWaitNanos a moving average of the recent queue waits of requests served, or -1 before the first
   * @param maxWaitNanos the longest queue wait of a request served
   * @param meanServiceNanos the recent mean service time recorded, or -1 before the first
   */
  public record Snapshot(int queued, int capacity, List<Criticality> overloaded, long accepted, long rejectedFull,
      long rejectedDeadline, long droppedExpired, long droppedStale, long served, long overloadEpisodes,
      long meanWaitNanos, long recentWaitNanos, long maxWaitNanos, long meanServiceNanos) {

    /** Copies {@code overloaded}, so the snapshot stays as it was taken. */
    public Snapshot {
      overloaded = List.copyOf(overloaded);
    }
  }

  static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
  }

  private static Criticality[] byRank() {
    Criticality[] ranked = new Criticality[Criticality.values().length];
    for (Criticality criticality : Criticality.values()) {
      ranked[criticality.rank()] = criticality;
    }
    return ranked;
  }

  private record Entry<T>(T item, @Nullable Deadline deadline, long enqueuedAt) {}

  private record Drop<T>(T item, String detail, String reason, long retryAfterNanos) {}

  /** The requests of one criticality and its overload controller; guarded by the queue's lock. */
  private final class Lane {
    final Criticality criticality;
    final ArrayDeque<Entry<T>> entries = new ArrayDeque<>();
    final OverloadControl control;

    Lane(Criticality criticality, OverloadControl control) {
      this.criticality = criticality;
      this.control = control;
    }
  }

  /**
   * Builds a {@link BoundedWorkQueue}; each option may be set once. Not thread-safe: build on one thread, then
   * share the queue, which is.
   *
   * @param <T> the queued requests
   */
  public static final class Builder<T> {
    private final String name;
    private final int capacity;
    private final DropHandler<? super T> onDrop;
    private int workers = 1;
    private boolean workersSet;
    private Ticker ticker = Ticker.system();
    private boolean tickerSet;
    private Duration targetDelay = DEFAULT_TARGET_DELAY;
    private boolean targetDelaySet;
    private Duration interval = DEFAULT_INTERVAL;
    private boolean intervalSet;
    private boolean adaptiveLifo = true;
    private boolean adaptiveLifoSet;
    private boolean dropStale = true;
    private boolean dropStaleSet;

    private Builder(String name, int capacity, DropHandler<? super T> onDrop) {
      if (name.isBlank()) {
        throw Checks.invalidArgument("name", '"' + name + '"', "a non-blank name");
      }
      this.name = name;
      this.capacity = Checks.checkRange("capacity", capacity, 1, Integer.MAX_VALUE);
      this.onDrop = onDrop;
    }

    /** How many workers take from the queue, for the queue-wait estimate; default 1. */
    public Builder<T> workers(int newWorkers) {
      Checks.checkNotSet("workers", workersSet);
      this.workers = Checks.checkRange("workers", newWorkers, 1, Integer.MAX_VALUE);
      workersSet = true;
      return this;
    }

    /** The clock that times queue waits; default the system ticker. Deadlines keep their own tickers. */
    public Builder<T> ticker(Ticker newTicker) {
      Checks.checkNotSet("ticker", tickerSet);
      this.ticker = newTicker;
      tickerSet = true;
      return this;
    }

    /**
     * The queue wait a healthy server may show; default 10 ms. Above it for a whole {@link #interval} means a
     * standing queue. Pick it above the waits a busy but healthy server shows (a few mean service times divided by
     * the workers) and well below the usual deadline: lower, and ordinary queueing counts as overload.
     */
    public Builder<T> targetDelay(Duration newTargetDelay) {
      Checks.checkNotSet("targetDelay", targetDelaySet);
      this.targetDelay = Checks.checkPositive("targetDelay", newTargetDelay);
      targetDelaySet = true;
      return this;
    }

    /**
     * How long the wait must stay above the target before a lane counts as overloaded, and stay clear of it before
     * the lane goes back to normal; default 100 ms. It is what tells a burst, which a queue is for, from a
     * standing queue, which only adds delay: make it several times the target.
     */
    public Builder<T> interval(Duration newInterval) {
      Checks.checkNotSet("interval", intervalSet);
      this.interval = Checks.checkPositive("interval", newInterval);
      intervalSet = true;
      return this;
    }

    /** Whether an overloaded lane serves the newest request first; default true. */
    public Builder<T> adaptiveLifo(boolean enabled) {
      Checks.checkNotSet("adaptiveLifo", adaptiveLifoSet);
      this.adaptiveLifo = enabled;
      adaptiveLifoSet = true;
      return this;
    }

    /** Whether an overloaded lane drops requests that waited past the target instead of running them; default true. */
    public Builder<T> dropStale(boolean enabled) {
      Checks.checkNotSet("dropStale", dropStaleSet);
      this.dropStale = enabled;
      dropStaleSet = true;
      return this;
    }

    /** The queue. */
    public BoundedWorkQueue<T> build() {
      return new BoundedWorkQueue<>(this);
    }
  }
}
