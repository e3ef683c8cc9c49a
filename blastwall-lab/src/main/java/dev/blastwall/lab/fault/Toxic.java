package dev.blastwall.lab.fault;

import dev.blastwall.internal.Checks;
import java.time.Duration;
import java.util.Objects;

/**
 * A fault the {@link FaultProxy} injects, in Toxiproxy's vocabulary. Every toxic acts in one {@link Direction}
 * (downstream by default) and applies to a connection with probability {@link #toxicity()} (1 by default), drawn
 * once per connection when the toxic first meets it. Toxics are immutable values; {@code with...} returns a copy.
 */
public sealed interface Toxic
    permits Toxic.Latency, Toxic.Bandwidth, Toxic.Timeout, Toxic.ResetPeer, Toxic.SlowClose {

  /** The direction of the bytes this toxic acts on. */
  Direction direction();

  /** The probability, in [0, 1], that this toxic applies to a given connection. */
  double toxicity();

  /** A copy acting in {@code direction}. */
  Toxic withDirection(Direction direction);

  /** A copy applying to each connection with probability {@code toxicity}, in [0, 1]. */
  Toxic withToxicity(double toxicity);

  /** Toxiproxy's {@code latency}: delays each chunk of data by {@code latency}, plus or minus up to {@code jitter}. */
  static Toxic latency(Duration latency, Duration jitter) {
    return new Latency(latency, jitter, Direction.DOWNSTREAM, 1.0);
  }

  /** Toxiproxy's {@code bandwidth}: limits the data rate to {@code bytesPerSecond}. */
  static Toxic bandwidth(long bytesPerSecond) {
    return new Bandwidth(bytesPerSecond, Direction.DOWNSTREAM, 1.0);
  }

  /**
   * Toxiproxy's {@code timeout}: stops all data getting through (it is read and dropped), and closes the
   * connection after {@code timeout}; {@link Duration#ZERO} holds it open, dropping data, until the toxic goes.
   */
  static Toxic timeout(Duration timeout) {
    return new Timeout(timeout, Direction.DOWNSTREAM, 1.0);
  }

  /** A black hole: {@link #timeout(Duration)} with zero, dropping data and never closing. */
  static Toxic blackhole() {
    return timeout(Duration.ZERO);
  }

  /**
   * Toxiproxy's {@code reset_peer}: {@code after} the toxic meets the connection (zero: at once), resets it with a
   * TCP RST towards the side the direction writes to (downstream: the client), and closes the other side.
   */
  static Toxic resetPeer(Duration after) {
    return new ResetPeer(after, Direction.DOWNSTREAM, 1.0);
  }

  /** Toxiproxy's {@code slow_close}: when one side closes, delays passing the close on to the other by {@code delay}. */
  static Toxic slowClose(Duration delay) {
    return new SlowClose(delay, Direction.DOWNSTREAM, 1.0);
  }

  /** See {@link Toxic#latency(Duration, Duration)}. */
  record Latency(Duration latency, Duration jitter, Direction direction, double toxicity) implements Toxic {
    public Latency {
      Checks.checkNotNegative("latency", Objects.requireNonNull(latency, "latency"));
      Checks.checkNotNegative("jitter", Objects.requireNonNull(jitter, "jitter"));
      Objects.requireNonNull(direction, "direction");
      Checks.checkRange("toxicity", toxicity, 0.0, 1.0);
    }

    @Override
    public Latency withDirection(Direction direction) {
      return new Latency(latency, jitter, direction, toxicity);
    }

    @Override
    public Latency withToxicity(double toxicity) {
      return new Latency(latency, jitter, direction, toxicity);
    }
  }

  /** See {@link Toxic#bandwidth(long)}. */
  record Bandwidth(long bytesPerSecond, Direction direction, double toxicity) implements Toxic {
    public Bandwidth {
      Checks.checkAtLeast("bytesPerSecond", bytesPerSecond, 1);
      Objects.requireNonNull(direction, "direction");
      Checks.checkRange("toxicity", toxicity, 0.0, 1.0);
    }

    @Override
    public Bandwidth withDirection(Direction direction) {
      return new Bandwidth(bytesPerSecond, direction, toxicity);
    }

    @Override
    public Bandwidth withToxicity(double toxicity) {
      return new Bandwidth(bytesPerSecond, direction, toxicity);
    }
  }

  /** See {@link Toxic#timeout(Duration)}. */
  record Timeout(Duration timeout, Direction direction, double toxicity) implements Toxic {
    public Timeout {
      Checks.checkNotNegative("timeout", Objects.requireNonNull(timeout, "timeout"));
      Objects.requireNonNull(direction, "direction");
      Checks.checkRange("toxicity", toxicity, 0.0, 1.0);
    }

    @Override
    public Timeout withDirection(Direction direction) {
      return new Timeout(timeout, direction, toxicity);
    }

    @Override
    public Timeout withToxicity(double toxicity) {
      return new Timeout(timeout, direction, toxicity);
    }
  }

  /** See {@link Toxic#resetPeer(Duration)}. */
  record ResetPeer(Duration after, Direction direction, double toxicity) implements Toxic {
    public ResetPeer {
      Checks.checkNotNegative("after", Objects.requireNonNull(after, "after"));
      Objects.requireNonNull(direction, "direction");
      Checks.checkRange("toxicity", toxicity, 0.0, 1.0);
    }

    @Override
    public ResetPeer withDirection(Direction direction) {
      return new ResetPeer(after, direction, toxicity);
    }

    @Override
    public ResetPeer withToxicity(double toxicity) {
      return new ResetPeer(after, direction, toxicity);
    }
  }

  /** See {@link Toxic#slowClose(Duration)}. */
  record SlowClose(Duration delay, Direction direction, double toxicity) implements Toxic {
    public SlowClose {
      Checks.checkNotNegative("delay", Objects.requireNonNull(delay, "delay"));
      Objects.requireNonNull(direction, "direction");
      Checks.checkRange("toxicity", toxicity, 0.0, 1.0);
    }

    @Override
    public SlowClose withDirection(Direction direction) {
      return new SlowClose(delay, direction, toxicity);
    }

    @Override
    public SlowClose withToxicity(double toxicity) {
      return new SlowClose(delay, direction, toxicity);
    }
  }
}
