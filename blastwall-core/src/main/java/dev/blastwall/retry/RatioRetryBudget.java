package dev.blastwall.retry;

import dev.blastwall.internal.Checks;
import dev.blastwall.time.Ticker;
import java.time.Duration;
import java.util.Objects;
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
 * <p><b>Expiry.</b> The window is split into 10 slots of {@code window / 10} each; a slot's deposits and
 * withdrawals expire together when time moves a whole window past the slot's start, so each one lives between
 * {@code 0.9 * window} and {@code window}. Retries withdrawn against deposits that have since expired still count
 * until they expire themselves: for that while the account is below zero, {@link #balance()} reports 0 and no retry
 * is allowed. Only expiry can take the account below zero; a retry never does.
 *
 * <p><b>Units.</b> Internally the account is kept in millionths of a retry (a request deposits
 * {@code percentCanRetry} retries, a retry withdraws one), which is the same ratio as above without
 * floating-point drift. {@code percentCanRetry} is therefore honoured to 6 decimal places.
 *
 * <p><b>Concurrency.</b> Requests are far more frequent than retries, so a request only bumps a striped counter of
 * its slot (a {@link LongAdder}: threads that collide move to separate cells instead of fighting over one word),
 * and a retry pays for the exactness instead: it sums the live slots' requests and withdraws with one
 * compare-and-set on the shared total of live withdrawals, which serialises retries against each other.
 *
 * <p>Thread-safe and lock-free. Recording a request or acquiring a retry allocates nothing once a slot's counter
 * has its cells; only moving on to a new slot does (a few small objects, once per slot duration, whatever the
 * traffic).
 */
public final class RatioRetryBudget implements RetryBudget {

  /** How many slots the window is cut into: the expiry granularity is {@code window / SLOTS}. */
  static final int SLOTS = 10;

  /** Account units per retry: the account counts millionths of a retry. */
  static final long UNITS_PER_RETRY = 1_000_000L;

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

  /**
   * The units withdrawn in every live slot, kept apart so concurrent retries serialise on one CAS. Each
   * withdrawal is added here once and to exactly one slot; each slot's withdrawals are subtracted once, when it
   * is sealed, so this equals the sum of the unsealed slots' withdrawals whenever no operation is in flight.
   */
  private final AtomicLong liveWithdrawn = new AtomicLong();

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

  @Override
  public void onRequest() {
    if (depositUnits != 0) {
      deposit(ticker.nanos());
    }
  }

  /** Uses {@code nowNanos} when {@code clock} is this budget's own ticker, saving a clock read. */
  @Override
  public void onRequest(Ticker clock, long nowNanos) {
    if (depositUnits != 0) {
      deposit(clock == ticker ? nowNanos : ticker.nanos());
    }
  }

  private void deposit(long nowNanos) {
    // A slot is replaced only a whole window after its start, when this request would have expired anyway; so a
    // request that lands in a slot just replaced under it loses nothing that would still count.
    currentSlot(epochOf(nowNanos)).requests.increment();
  }

  /** Does nothing: this budget counts requests, not outcomes. */
  @Override
  public void onAttemptSucceeded() {}

  /** Does nothing: this budget counts requests, not outcomes. */
  @Override
  public void onAttemptFailed() {}

  @Override
  public boolean tryAcquireRetry() {
    // Expire old slots first so that deposits past the window cannot be spent.
    Slot slot = currentSlot(epochNow());
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
    expireUpTo(epochNow());
    long withdrawn = liveWithdrawn.get();
    return reserveUnits + depositedUnits() - withdrawn;
  }

  /** The units deposited by the requests of every slot now in the ring. */
  private long depositedUnits() {
    long requests = 0;
    for (int index = 0; index < SLOTS; index++) {
      requests += slots.get(index).requests.sum();
    }
    return requests * depositUnits;
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
          // Only the thread that swapped the slot out seals it, so each slot is subtracted exactly once. Its
          // requests leave with it: the sum of the ring no longer sees them.
          liveWithdrawn.addAndGet(-slot.seal());
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
    /** Striped: every request of every thread lands here, so threads must not contend on one word. */
    final LongAdder requests = new LongAdder();
    private final AtomicLong withdrawn = new AtomicLong();

    Slot(long epoch) {
      this.epoch = epoch;
    }

    /** Adds {@code units} to the withdrawals unless the slot has been sealed. */
    boolean tryWithdraw(long units) {
      long current;
      do {
        current = withdrawn.get();
        if (current == SEALED) {
          return false;
        }
      } while (!withdrawn.compareAndSet(current, current + units));
      return true;
    }

    /** Closes the slot to further withdrawals and returns what it held. */
    long seal() {
      return withdrawn.getAndSet(SEALED);
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
