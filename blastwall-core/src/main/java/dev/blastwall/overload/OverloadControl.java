package dev.blastwall.overload;

/**
 * The controlled-delay rule of one {@link BoundedWorkQueue} lane, as a pure state machine: queue waits and times in,
 * decisions out (overloaded or not, serve newest first, drop a stale request). No clock and no lock of its own: the
 * queue calls it under its lock with the time it read.
 *
 * <p>A lane becomes <em>overloaded</em> once its oldest request has waited longer than the target for a whole
 * interval (a standing queue, not a burst). It goes back to normal when a worker finds the lane drained and no
 * request in it has waited past the target for an interval.
 */
final class OverloadControl {

  private final long targetNanos;
  private final long intervalNanos;
  private final boolean adaptiveLifo;
  private final boolean dropStale;

  private boolean overloaded;
  // Whether the oldest request was above target at the last look, and since when it has been continuously.
  private boolean aboveTarget;
  private long aboveSince;
  // When a request of this lane was last seen waiting past the target; read only once overloaded, which sets it.
  private long lastAboveTarget;

  OverloadControl(long targetNanos, long intervalNanos, boolean adaptiveLifo, boolean dropStale) {
    this.targetNanos = targetNanos;
    this.intervalNanos = intervalNanos;
    this.adaptiveLifo = adaptiveLifo;
    this.dropStale = dropStale;
  }

  boolean overloaded() {
    return overloaded;
  }

  /** Whether the lane now serves its newest request first (adaptive LIFO). */
  boolean servesNewestFirst() {
    return overloaded && adaptiveLifo;
  }

  /** The lane was found empty while not being drained by a worker: no standing queue. */
  void lookedAtEmpty() {
    if (!overloaded) {
      aboveTarget = false;
    }
  }

  /**
   * The lane's oldest request was queued at {@code enqueuedAt}. The oldest request's age only falls when requests
   * leave, so the age above target since {@code enqueuedAt + target} is continuous as long as each look finds it
   * above.
   *
   * @return whether the lane became overloaded with this look
   */
  boolean lookedAtOldest(long enqueuedAt, long now) {
    if (overloaded) {
      return false;
    }
    if (now - enqueuedAt <= targetNanos) {
      aboveTarget = false;
      return false;
    }
    lastAboveTarget = now;
    if (!aboveTarget) {
      aboveTarget = true;
      aboveSince = enqueuedAt + targetNanos;
    }
    if (now - aboveSince >= intervalNanos) {
      overloaded = true;
      return true;
    }
    return false;
  }

  /** Whether the request at the old end, which {@code waited}, is dropped as stale before any worker asks. */
  boolean dropsAtHead(long waited, long now) {
    if (overloaded && dropStale && waited > targetNanos) {
      lastAboveTarget = now;
      return true;
    }
    return false;
  }

  /** Whether the request a worker took, which {@code waited}, is dropped as stale instead of run. */
  boolean dropsWhenServed(long waited, long now) {
    if (waited <= targetNanos) {
      return false;
    }
    lastAboveTarget = now;
    return overloaded && dropStale;
  }

  /** A worker found the lane drained: it has caught up, unless requests kept going stale until just now. */
  void drained(long now) {
    if (overloaded && now - lastAboveTarget >= intervalNanos) {
      overloaded = false;
      aboveTarget = false;
    }
  }
}
