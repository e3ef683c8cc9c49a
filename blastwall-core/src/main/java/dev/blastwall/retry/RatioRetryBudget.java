package dev.blastwall.retry;

import dev.blastwall.internal.Checks;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A retry budget that lets retries add at most a fixed share of the recent request load, plus a small floor so
 * that low-traffic callers can still retry at all.
 *
 * <p>Every {@linkplain #onRequest() request} deposits one unit; every {@linkplain #tryAcquireRetry() retry}
 * withdraws {@code 1 / percentCanRetry} units; deposits and withdrawals expire once they are {@code window} old.
 * On top of that comes a reserve of {@code minRetriesPerSecond * windowSeconds} retries that needs no requests.
 * So over {@code n} requests within one window, {@code n * percentCanRetry + minRetriesPerSecond * windowSeconds}
 * retries are allowed (rounded down). Because withdrawals expire too, the reserve refills as old retries age out,
 * which is what makes it a per-second floor rather than a one-off allowance.
 *
 * <pre>{@code
 * RetryBudget budget = RetryBudget.ratio()
 *     .percentCanRetry(0.2)              // retries may add 20% to the load
 *     .minRetriesPerSecond(5)
 *     .build();
 * }</pre>
 *
 * <p>Only requests are counted, not outcomes: {@link #onAttemptSucceeded()} and {@link #onAttemptFailed()} do
 * nothing. A sick upstream is protected because the retries it causes cannot outgrow the traffic that causes
 * them.
 *
 * <p><b>Expiry.</b> The window is split into 10 slots of {@code window / 10} each; a slot's deposits and withdrawals
 * expire together when time moves a whole window past the slot's start, so each one lives between {@code 0.9 * window}
 * and {@code window} after the moment it is dated. A withdrawal is dated when it is made. A request is dated at the
 * clock reading of the next <em>flush</em> (see Concurrency), so it may be dated late: under steady traffic by at most
 * about {@code window / 160} (1/16 of a slot), and it counts that much longer. When traffic stops, the requests made
 * since the last flush (about as many as one flush interval, at most 1024 on average) are dated by the next flush
 * however late it comes, so the budget errs on the generous side by at most that many requests. Retries withdrawn
 * against deposits that have since expired still count until they expire themselves: for that while the account is
 * below zero, {@link #balance()} reports 0 and no retry is allowed. Only expiry can take the account below zero; a
 * retry never does.
 *
 * <p><b>Units.</b> Internally the account is kept in millionths of a retry (a request deposits
 * {@code percentCanRetry} retries, a retry withdraws one), which is the same ratio as above without
 * floating-point drift. {@code percentCanRetry} is therefore honoured to 6 decimal places.
 *
 * <p><b>Concurrency.</b> Requests are far more frequent than retries, and on the success path of a call reading
 * the clock costs more than all the rest of a deposit. So a request only bumps one budget-wide striped counter (a
 * {@link LongAdder}: threads that collide move to separate cells instead of fighting over one word) and reads no
 * clock. One request in {@code n}, picked at random, flushes: it reads the clock, expires old slots and dates every
 * request not yet dated into the current slot, at its own clock reading. {@code n} adapts at every flush to the
 * request rate measured since the previous one, aiming at 16 flushes per slot: 1 (every request flushes) at low
 * traffic or while the clock does not move, up to 1024 (a power of two, so that about {@code n} requests,
 * geometrically distributed, wait for a flush). A retry, {@link #balance()} and every flush first date every
 * pending request, so the counts behind a retry decision are exact: every request made before it counts; only
 * the dating is batched. A retry then withdraws with one compare-and-set on the shared total of live withdrawals,
 * which serialises retries against each other.
 *
 * <p>Thread-safe and lock-free. Recording a request or acquiring a retry allocates nothing once the request
 * counter has its cells; only moving on to a new slot does (a few small objects, once per slot duration, whatever
 * the traffic).
 */
public final class RatioRetryBudget implements RetryBudget {

  /** How many slots the window is cut into: the expiry granularity is {@code window / SLOTS}. */
  static final int SLOTS = 10;

  /** Account units per retry: the account counts millionths of a retry. */
  static final long UNITS_PER_RETRY = 1_000_000L;

  /** How many flushes per slot duration the flush interval aims at: bounds how late a request is dated. */
  static final int FLUSHES_PER_SLOT = 16;

  /** The longest flush interval, in requests (a power of two): bounds how many requests wait for a flush. */
  static final int MAX_FLUSH_INTERVAL = 1024;

  static final double DEFAULT_PERCENT_CAN_RETRY = 0.1;
  static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);
  static final int DEFAULT_MIN_RETRIES_PER_SECOND = 10;

  static final Duration MIN_WINDOW = Duration.ofSeconds(1);
  static final Duration MAX_WINDOW = Duration.ofSeconds(60);
  static final double MAX_PERCENT_CAN_RETRY = 1000.0;

  /** Marks a slot that has expired: adds to it fail and go to the current slot instead. */
  private static final long SEALED = Long.MIN_VALUE;

  private final double percentCanRetry;
  private final Duration window;
  private final int minRetriesPerSecond;
  private final Ticker ticker;

  private final long depositUnits;
  private final long reserveUnits;
  private final long slotNanos;
  private final long originNanos;

  /** Slot {@code i} holds the epoch {@code e} with {@code e mod SLOTS == i}; epochs only ever grow. */
  private final AtomicReferenceArray<Slot> slots;

  /** Every request ever made (with a non-zero deposit); never reset. */
  private final LongAdder requested = new LongAdder();

  /**
   * How many of {@link #requested} a flush has claimed: each is counted from that moment and then put into
   * exactly one slot. Only grows, and never past {@code requested}.
   */
  private final AtomicLong dated = new AtomicLong();

  /** The requests of every sealed slot: {@code dated - expiredRequests} are the requests that still count. */
  private final AtomicLong expiredRequests = new AtomicLong();

  /**
   * The units withdrawn in every live slot, kept apart so concurrent retries serialise on one CAS. Each
   * withdrawal is added here once and to exactly one slot; each slot's withdrawals are subtracted once, when it
   * is sealed, so this equals the sum of the unsealed slots' withdrawals whenever no operation is in flight.
   */
  private final AtomicLong liveWithdrawn = new AtomicLong();

  /** Flush one request in {@code flushMask + 1}: 0 flushes every request. Adapted at each flush. */
  private volatile int flushMask;

  /** The clock reading of the latest flush that dated anything, to measure the request rate. */
  private volatile long lastFlushNanos;

  private RatioRetryBudget(Builder builder) {
    this.percentCanRetry = builder.percentCanRetry;
    this.window = builder.window;
    this.minRetriesPerSecond = builder.minRetriesPerSecond;
    this.ticker = builder.ticker;

    long windowNanos = window.toNanos();
    this.depositUnits = Math.round(percentCanRetry * UNITS_PER_RETRY);
    // minRetriesPerSecond * windowSeconds retries, in units; split so the product stays far inside a long.
    long windowMicros = windowNanos / 1_000;
    this.reserveUnits =
        (long) minRetriesPerSecond * windowMicros + (long) minRetriesPerSecond * (windowNanos % 1_000) / 1_000;
    this.slotNanos = windowNanos / SLOTS;
    this.originNanos = ticker.nanos();
    this.lastFlushNanos = originNanos;

    this.slots = new AtomicReferenceArray<>(SLOTS);
    for (int index = 0; index < SLOTS; index++) {
      // Live, empty slots for the epochs just before epoch 0, so the first window needs no special case.
      slots.set(index, new Slot(latestEpochOf(index, 0)));
    }
  }

  /** A builder with the defaults: 10% of requests, a 10 s window, 10 retries per second, the system ticker. */
  public static Builder builder() {
    return new Builder();
  }

  /** The share of requests that may be retried, e.g. {@code 0.1} for 10%. */
  public double percentCanRetry() {
    return percentCanRetry;
  }

  /** How long deposits and withdrawals count. */
  public Duration window() {
    return window;
  }

  /** Retries per second that are allowed whatever the traffic. */
  public int minRetriesPerSecond() {
    return minRetriesPerSecond;
  }

  /** Counts the request; reads the clock only when this request is the one that flushes (see the class doc). */
  @Override
  public void onRequest() {
    if (depositUnits != 0) {
      requested.increment();
      if (flushDue()) {
        flush(ticker.nanos());
      }
    }
  }

  /**
   * Like {@link #onRequest()}; a flush uses {@code nowNanos} when {@code clock} is this budget's own ticker,
   * saving a clock read.
   */
  @Override
  public void onRequest(Ticker clock, long nowNanos) {
    if (depositUnits != 0) {
      requested.increment();
      if (flushDue()) {
        flush(clock == ticker ? nowNanos : ticker.nanos());
      }
    }
  }

  /** Whether this request flushes: always while the mask is 0, else with probability {@code 1 / (mask + 1)}. */
  private boolean flushDue() {
    int mask = flushMask;
    return mask == 0 || (ThreadLocalRandom.current().nextInt() & mask) == 0;
  }

  /** Does nothing: this budget counts requests, not outcomes. */
  @Override
  public void onAttemptSucceeded() {}

  /** Does nothing: this budget counts requests, not outcomes. */
  @Override
  public void onAttemptFailed() {}

  @Override
  public boolean tryAcquireRetry() {
    // Expire old slots first so that deposits past the window cannot be spent, and date pending requests so
    // that they can.
    long epoch = flush(ticker.nanos());
    Slot slot = currentSlot(epoch);
    long withdrawn;
    do {
      // Withdrawals before deposits: an expiry in between then makes this look poorer, never richer, and the
      // CAS below fails if that expiry took withdrawals off the total.
      withdrawn = liveWithdrawn.get();
      if (reserveUnits + depositedUnits() - withdrawn < UNITS_PER_RETRY) {
        return false;
      }
    } while (!liveWithdrawn.compareAndSet(withdrawn, withdrawn + UNITS_PER_RETRY));
    // The withdrawal is already committed; the slot only decides when it expires.
    while (!slot.tryWithdraw(UNITS_PER_RETRY)) {
      // The slot expired under us; the current slot is a fresher one. Spins only while other threads make
      // progress (they sealed the slot).
      slot = currentSlot(epochNow());
    }
    return true;
  }

  /**
   * The retries allowed right now, fractions included; 0 while expired deposits leave the account short of
   * retries that have not expired yet.
   */
  @Override
  public double balance() {
    long units = accountUnits();
    return units <= 0 ? 0.0 : (double) units / UNITS_PER_RETRY;
  }

  /** The account in millionths of a retry, not clamped at zero: what the stress tests check never goes negative. */
  long accountUnits() {
    flush(ticker.nanos());
    long withdrawn = liveWithdrawn.get();
    return reserveUnits + depositedUnits() - withdrawn;
  }

  /** Requests made so far, dated or not: for tests. */
  long requestedCount() {
    return requested.sum();
  }

  /** Requests a flush has dated so far: for tests. */
  long datedCount() {
    return dated.get();
  }

  /** The current flush mask (one request in {@code mask + 1} flushes): for tests. */
  int flushMask() {
    return flushMask;
  }

  /** The units deposited by the requests that still count. */
  private long depositedUnits() {
    // Dated before expired: a batch dated and expired in between is then subtracted without having been added,
    // which looks poorer, never richer (as withdrawals before deposits in tryAcquireRetry).
    long live = dated.get();
    live -= expiredRequests.get();
    return live * depositUnits;
  }

  @Override
  public String toString() {
    return "RatioRetryBudget[percentCanRetry="
        + percentCanRetry
        + ", window="
        + window
        + ", minRetriesPerSecond="
        + minRetriesPerSecond
        + ", balance="
        + balance()
        + "]";
  }

  /**
   * Expires the slots that time has moved past, then dates every request not yet dated at {@code nowNanos} and
   * adapts the flush interval; returns the epoch of {@code nowNanos}.
   */
  private long flush(long nowNanos) {
    long epoch = epochOf(nowNanos);
    expireUpTo(epoch);
    long total = requested.sum();
    long before;
    do {
      before = dated.get();
      if (total <= before) {
        // Nothing pending, or a flush that summed later has claimed these requests (they count already).
        return epoch;
      }
    } while (!dated.compareAndSet(before, total));
    // The batch counts from the CAS on (the account reads dated); the slot only decides when it expires.
    long batch = total - before;
    Slot slot = slots.get(indexOf(epoch));
    while (!slot.tryAddRequests(batch)) {
      // Sealed under us: only possible once a whole window has passed since nowNanos; a fresher slot does.
      slot = currentSlot(epochNow());
    }
    adaptFlushInterval(nowNanos, batch);
    return epoch;
  }

  /**
   * Sets the flush mask so that, at the rate of {@code batch} requests since the previous flush, about one flush
   * happens per {@code 1 / FLUSHES_PER_SLOT} of a slot. Racing flushes may overwrite each other's estimate; any
   * of them is a fair one.
   */
  private void adaptFlushInterval(long nowNanos, long batch) {
    long elapsed = nowNanos - lastFlushNanos;
    if (elapsed <= 0) {
      // No time seen to pass (a still fake ticker, or a caller's earlier reading): no rate to measure, so keep
      // the mask, which stays 0 on a ticker that never moves and keeps tests exact.
      return;
    }
    lastFlushNanos = nowNanos;
    // In double: batch * slotNanos may not fit a long.
    double expected = batch * ((double) slotNanos / FLUSHES_PER_SLOT) / elapsed;
    int interval = expected >= MAX_FLUSH_INTERVAL ? MAX_FLUSH_INTERVAL : Math.max(1, (int) expected);
    flushMask = Integer.highestOneBit(interval) - 1;
  }

  /** The slot for {@code epoch}, after expiring every slot that time has moved past. */
  private Slot currentSlot(long epoch) {
    expireUpTo(epoch);
    // Never older than epoch now; newer only if this thread's reading went stale, and then that slot is as good.
    return slots.get(indexOf(epoch));
  }

  private long epochNow() {
    return epochOf(ticker.nanos());
  }

  private long epochOf(long nowNanos) {
    // Differences only: the ticker may start anywhere in the long range and wrap around.
    return Math.floorDiv(nowNanos - originNanos, slotNanos);
  }

  private void expireUpTo(long epoch) {
    int current = indexOf(epoch);
    if (slots.get(current).epoch >= epoch) {
      // Whoever installed this slot expired all the others first (see the loop order below).
      return;
    }
    // The current slot goes last, so a thread that sees it is current knows the stale ones are gone.
    for (int step = 1; step <= SLOTS; step++) {
      int index = (current + step) % SLOTS;
      long wanted = latestEpochOf(index, epoch);
      Slot slot = slots.get(index);
      if (slot.epoch >= wanted) {
        continue;
      }
      Slot fresh = new Slot(wanted);
      while (slot.epoch < wanted) {
        if (slots.compareAndSet(index, slot, fresh)) {
          // Only the thread that swapped the slot out seals it, so each slot is subtracted exactly once. Requests
          // before withdrawals: a retry reads withdrawals first, so it can see both gone or only the requests
          // gone (poorer), never only the withdrawals gone (richer).
          expiredRequests.addAndGet(slot.sealRequests());
          liveWithdrawn.addAndGet(-slot.sealWithdrawals());
          break;
        }
        slot = slots.get(index);
      }
    }
  }

  private static int indexOf(long epoch) {
    return Math.floorMod(epoch, SLOTS);
  }

  /** The latest epoch not after {@code epoch} that lives in slot {@code index}. */
  private static long latestEpochOf(int index, long epoch) {
    return epoch - Math.floorMod(epoch - index, SLOTS);
  }

  /** The requests and the withdrawn units of one slot duration. */
  private static final class Slot {

    final long epoch;
    /** Requests dated into this slot: only flushes add here, a few times per slot duration, so one word will do. */
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong withdrawn = new AtomicLong();

    Slot(long epoch) {
      this.epoch = epoch;
    }

    /** Adds {@code count} to the requests unless the slot has been sealed. */
    boolean tryAddRequests(long count) {
      return tryAdd(requests, count);
    }

    /** Adds {@code units} to the withdrawals unless the slot has been sealed. */
    boolean tryWithdraw(long units) {
      return tryAdd(withdrawn, units);
    }

    /** Closes the slot to further requests and returns how many it held. */
    long sealRequests() {
      return requests.getAndSet(SEALED);
    }

    /** Closes the slot to further withdrawals and returns what it held. */
    long sealWithdrawals() {
      return withdrawn.getAndSet(SEALED);
    }

    private static boolean tryAdd(AtomicLong counter, long amount) {
      long current;
      do {
        current = counter.get();
        if (current == SEALED) {
          return false;
        }
      } while (!counter.compareAndSet(current, current + amount));
      return true;
    }
  }

  /**
   * Configures a {@link RatioRetryBudget}. Each option may be set once; unset ones keep their defaults. Not
   * thread-safe.
   */
  public static final class Builder {

    private double percentCanRetry = DEFAULT_PERCENT_CAN_RETRY;
    private Duration window = DEFAULT_WINDOW;
    private int minRetriesPerSecond = DEFAULT_MIN_RETRIES_PER_SECOND;
    private Ticker ticker = Ticker.system();

    private boolean percentCanRetrySet;
    private boolean windowSet;
    private boolean minRetriesPerSecondSet;
    private boolean tickerSet;

    Builder() {}

    /**
     * The share of requests that may be retried, in {@code [0, 1000]}: {@code 0.1} (the default) lets retries add
     * 10% to the load, {@code 2.0} lets each request be retried twice. 0 leaves only the floor.
     */
    public Builder percentCanRetry(double percentCanRetry) {
      Checks.checkNotSet("percentCanRetry", percentCanRetrySet);
      this.percentCanRetry = Checks.checkRange("percentCanRetry", percentCanRetry, 0.0, MAX_PERCENT_CAN_RETRY);
      this.percentCanRetrySet = true;
      return this;
    }

    /** How long deposits and withdrawals count, in {@code [1 s, 60 s]}; 10 s by default. */
    public Builder window(Duration window) {
      Checks.checkNotSet("window", windowSet);
      this.window = Checks.checkRange("window", Objects.requireNonNull(window, "window"), MIN_WINDOW, MAX_WINDOW);
      this.windowSet = true;
      return this;
    }

    /** Retries per second allowed whatever the traffic, {@code >= 0}; 10 by default. */
    public Builder minRetriesPerSecond(int minRetriesPerSecond) {
      Checks.checkNotSet("minRetriesPerSecond", minRetriesPerSecondSet);
      this.minRetriesPerSecond = (int) Checks.checkAtLeast("minRetriesPerSecond", minRetriesPerSecond, 0);
      this.minRetriesPerSecondSet = true;
      return this;
    }

    /** The time source; {@link Ticker#system()} by default. */
    public Builder ticker(Ticker ticker) {
      Checks.checkNotSet("ticker", tickerSet);
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      this.tickerSet = true;
      return this;
    }

    /** A new budget, starting with only the reserve. */
    public RatioRetryBudget build() {
      return new RatioRetryBudget(this);
    }
  }
}
