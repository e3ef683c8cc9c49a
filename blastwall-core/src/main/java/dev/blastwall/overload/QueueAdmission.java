package dev.blastwall.overload;

import org.jspecify.annotations.Nullable;

/**
 * The admission rule of a {@link BoundedWorkQueue}: a request is refused at submit when its deadline has passed or
 * would pass before it could start, by the estimated queue wait (requests ahead &times; the recent mean service
 * time / workers). Thread-safe: service times are recorded by the workers without the queue's lock.
 */
final class QueueAdmission {

  private final int workers;
  private final RecentMean serviceTime = new RecentMean();

  QueueAdmission(int workers) {
    this.workers = workers;
  }

  void recordServiceTime(long serviceNanos) {
    serviceTime.add(serviceNanos);
  }

  /** The recent mean service time recorded, or -1 before the first. */
  long meanServiceNanos() {
    return serviceTime.nanos();
  }

  /** How long {@code requests} ahead take to be worked off; zero until a service time was recorded. */
  long waitFor(int requests) {
    // In double, so a huge service time saturates at Long.MAX_VALUE instead of overflowing.
    return (long) ((double) requests * serviceTime.nanosOr(0) / workers);
  }

  /**
   * Until {@code queued} requests have been worked off, but at least {@code targetNanos}: sooner a retry meets the
   * same queue.
   */
  long retryAfterNanos(long targetNanos, int queued) {
    return Math.max(targetNanos, waitFor(queued));
  }

  /**
   * Why a request with {@code remainingNanos} left on its deadline and {@code ahead} requests before it is refused,
   * or {@code null} if it may be queued.
   */
  @Nullable String refusal(long remainingNanos, int ahead) {
    if (remainingNanos <= 0) {
      return "deadline passed " + BoundedWorkQueue.millis(-remainingNanos) + " before enqueue";
    }
    long estimatedWait = waitFor(ahead);
    if (estimatedWait > remainingNanos) {
      return "deadline in " + BoundedWorkQueue.millis(remainingNanos) + ", estimated queue wait "
          + BoundedWorkQueue.millis(estimatedWait) + " (" + ahead + " ahead, " + workers + " workers, mean service "
          + BoundedWorkQueue.millis(serviceTime.nanosOr(0)) + ")";
    }
    return null;
  }
}
