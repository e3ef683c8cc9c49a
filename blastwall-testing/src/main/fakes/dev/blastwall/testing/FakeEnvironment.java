package dev.blastwall.testing;

import dev.blastwall.time.Environment;
import dev.blastwall.time.RandomSource;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link Environment} that moves only when told to: a {@link FakeTicker}, a {@link FakeScheduler} on it, a wall
 * clock that moves with the ticker, and a random source with a fixed seed.
 *
 * <pre>{@code
 * FakeEnvironment fake = new FakeEnvironment();
 * UpstreamRegistry upstreams = UpstreamRegistry.fromConfig(properties, fake.environment());
 * CompletableFuture<String> answer = upstreams.pipeline("inventory").callAsync(() -> client.lookup(id));
 * fake.advance(Duration.ofMillis(250));  // every breaker, budget, deadline and timer sees the same 250 ms
 * }</pre>
 *
 * <p>Thread-safe, like its parts. The random source gives the same sequence for the same seed when drawn from one
 * thread; draws from several threads interleave in no fixed order but never contend on a lock.
 */
public final class FakeEnvironment {

  /** Where the wall clock starts unless told otherwise: a fixed instant, so tests never depend on today's date. */
  public static final Instant DEFAULT_WALL_CLOCK_START = Instant.parse("2026-01-01T00:00:00Z");

  /** The seed of the random source unless told otherwise. */
  public static final long DEFAULT_SEED = 42;

  private final FakeScheduler scheduler;
  private final Environment environment;

  /** An environment whose ticker reads zero, at {@link #DEFAULT_WALL_CLOCK_START}, seeded {@link #DEFAULT_SEED}. */
  public FakeEnvironment() {
    this(new FakeScheduler(), DEFAULT_WALL_CLOCK_START, DEFAULT_SEED);
  }

  /**
   * An environment on {@code scheduler} and its ticker, whose wall clock reads {@code wallClockStart} now and
   * moves with the ticker, and whose random source is seeded with {@code seed}.
   *
   * @throws IllegalArgumentException if {@code scheduler} or {@code wallClockStart} is null
   */
  public FakeEnvironment(FakeScheduler scheduler, Instant wallClockStart, long seed) {
    if (scheduler == null) {
      throw new IllegalArgumentException("scheduler: null (expected: a FakeScheduler, e.g. new FakeScheduler())");
    }
    if (wallClockStart == null) {
      throw new IllegalArgumentException(
          "wallClockStart: null (expected: an Instant, e.g. FakeEnvironment.DEFAULT_WALL_CLOCK_START)");
    }
    this.scheduler = scheduler;
    FakeTicker ticker = scheduler.ticker();
    this.environment = Environment.of(ticker, new TickerWallClock(ticker, wallClockStart), scheduler,
        new SeededRandom(seed));
  }

  /** The environment to hand to the registry, pipelines and adapters under test. */
  public Environment environment() {
    return environment;
  }

  /** The ticker every part of the environment reads. */
  public FakeTicker ticker() {
    return scheduler.ticker();
  }

  /** The scheduler, which advances the ticker. */
  public FakeScheduler scheduler() {
    return scheduler;
  }

  /** The wall clock: its start plus the time the ticker has moved since. */
  public InstantSource wallClock() {
    return environment.wallClock();
  }

  /** Advances time by {@code duration}, running each task as its due time is reached; returns how many ran. */
  public int advance(Duration duration) {
    return scheduler.advance(duration);
  }

  @Override
  public String toString() {
    return "FakeEnvironment[" + ticker() + ", " + wallClock().instant() + "]";
  }

  /** A wall clock that moves exactly as the ticker does, so wall-clock expiries and deadlines agree in tests. */
  private static final class TickerWallClock implements InstantSource {
    private final FakeTicker ticker;
    private final Instant start;
    private final long startNanos;

    TickerWallClock(FakeTicker ticker, Instant start) {
      this.ticker = ticker;
      this.start = start;
      this.startNanos = ticker.nanos();
    }

    @Override
    public Instant instant() {
      // A difference of readings: right even when the ticker started near Long.MAX_VALUE and wrapped.
      return start.plusNanos(ticker.nanos() - startNanos);
    }

    @Override
    public String toString() {
      return "FakeWallClock[" + instant() + "]";
    }
  }

  /** SplitMix64 over one atomic counter: reproducible for one thread, lock-free for many. */
  private static final class SeededRandom implements RandomSource {
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    private final AtomicLong state;
    private final long seed;

    SeededRandom(long seed) {
      this.seed = seed;
      this.state = new AtomicLong(seed);
    }

    @Override
    public double nextDouble() {
      long z = state.addAndGet(GOLDEN_GAMMA);
      z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
      z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
      z ^= z >>> 31;
      // The top 53 bits as a fraction: uniform in [0, 1), never 1.
      return (z >>> 11) * 0x1.0p-53;
    }

    @Override
    public String toString() {
      return "SeededRandom[seed=" + seed + "]";
    }
  }
}
