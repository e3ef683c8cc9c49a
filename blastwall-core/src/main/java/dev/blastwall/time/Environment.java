package dev.blastwall.time;

import dev.blastwall.internal.Checks;
import java.time.InstantSource;

/**
 * The time and randomness a service runs on, given once: a monotonic {@link Ticker}, a wall clock, a
 * {@link Scheduler} and a {@link RandomSource}. Hand one environment to the registry, the pipelines and the adapters
 * (gRPC client policy and server interceptor) instead of a ticker to each, so they cannot disagree.
 *
 * <pre>{@code
 * Environment environment = Environment.system();      // or a FakeEnvironment's, in tests
 * UpstreamRegistry upstreams = UpstreamRegistry.fromConfig(properties, environment);
 * BlastwallServerInterceptor server = BlastwallServerInterceptor.builder().environment(environment).build();
 * GrpcClientPolicy client = GrpcClientPolicy.builder(upstreams.pipeline("inventory")).build(); // the pipeline's
 * }</pre>
 *
 * <p><b>The rule:</b> one environment's ticker produces every {@code Deadline} made under it: the server
 * interceptor's incoming deadlines, the pipelines' total and attempt deadlines, the client's outgoing ones. Two
 * deadlines from one environment therefore always compare (deadlines on different tickers cannot: comparing them
 * is an error), and a deadline read at one hop is measured on the same clock as the timeouts of the next.
 *
 * <p>The wall clock is for what must survive a trip off this host (an absolute expiry in a broker message); the
 * ticker is for everything measured here. The random source must be safe to call from many threads at once
 * without contention: the system one is thread-local.
 *
 * <p>Immutable and thread-safe; the {@code with} methods return a new environment.
 */
public final class Environment {

  private static final Environment SYSTEM =
      new Environment(Ticker.system(), InstantSource.system(), Scheduler.system(), RandomSource.threadLocal());

  private final Ticker ticker;
  private final InstantSource wallClock;
  private final Scheduler scheduler;
  private final RandomSource random;

  private Environment(Ticker ticker, InstantSource wallClock, Scheduler scheduler, RandomSource random) {
    this.ticker = ticker;
    this.wallClock = wallClock;
    this.scheduler = scheduler;
    this.random = random;
  }

  /**
   * The real one: {@link Ticker#system()}, {@link InstantSource#system()}, {@link Scheduler#system()} and
   * {@link RandomSource#threadLocal()}. Everything that is given no environment runs on this one.
   */
  public static Environment system() {
    return SYSTEM;
  }

  /**
   * An environment of the four parts.
   *
   * @throws IllegalArgumentException if a part is null
   */
  public static Environment of(Ticker ticker, InstantSource wallClock, Scheduler scheduler, RandomSource random) {
    return new Environment(present("ticker", ticker, "a Ticker, e.g. Ticker.system()"),
        present("wallClock", wallClock, "an InstantSource, e.g. InstantSource.system()"),
        present("scheduler", scheduler, "a Scheduler, e.g. Scheduler.system()"),
        present("random", random, "a RandomSource, e.g. RandomSource.threadLocal()"));
  }

  /** The monotonic clock of every deadline, timeout, window and latency measured under this environment. */
  public Ticker ticker() {
    return ticker;
  }

  /** The wall clock, for times that leave this host (absolute expiries); never for measuring durations. */
  public InstantSource wallClock() {
    return wallClock;
  }

  /** Runs backoff waits, attempt timeouts and hedges. */
  public Scheduler scheduler() {
    return scheduler;
  }

  /** Jitter and sampling; thread-safe and contention-free. */
  public RandomSource random() {
    return random;
  }

  /** This environment on {@code newTicker}; the other parts stay. */
  public Environment withTicker(Ticker newTicker) {
    return of(newTicker, wallClock, scheduler, random);
  }

  /** This environment on {@code newWallClock}; the other parts stay. */
  public Environment withWallClock(InstantSource newWallClock) {
    return of(ticker, newWallClock, scheduler, random);
  }

  /** This environment on {@code newScheduler}; the other parts stay. */
  public Environment withScheduler(Scheduler newScheduler) {
    return of(ticker, wallClock, newScheduler, random);
  }

  /** This environment on {@code newRandom}; the other parts stay. */
  public Environment withRandom(RandomSource newRandom) {
    return of(ticker, wallClock, scheduler, newRandom);
  }

  @Override
  public String toString() {
    return this == SYSTEM ? "Environment.system()"
        : "Environment[ticker=" + ticker + ", wallClock=" + wallClock + ", scheduler=" + scheduler
            + ", random=" + random + "]";
  }

  /** Null-checks a part: callers outside the null-checked build may still pass null. */
  private static <T> T present(String name, T part, String expected) {
    if (part == null) {
      throw Checks.invalidArgument(name, "null", expected);
    }
    return part;
  }
}
