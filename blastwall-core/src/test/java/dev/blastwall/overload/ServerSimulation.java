package dev.blastwall.overload;

import dev.blastwall.context.CallContext;
import dev.blastwall.context.Criticality;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.testing.FakeScheduler;
import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * A discrete-event simulation of one server on fake time: {@value #WORKERS} workers with a fixed
 * {@value #SERVICE_MILLIS} ms service time (capacity 1,000 requests/s), fed by open-loop Poisson arrivals, a
 * 20/50/30 mix of CRITICAL_PLUS, CRITICAL and SHEDDABLE, each with a {@value #DEADLINE_MILLIS} ms deadline after
 * which the client has given up. No threads and no sockets: every arrival and completion is a task on a
 * {@link FakeScheduler}, run in time order on the calling thread.
 *
 * <p>A response counts as goodput only if it arrives before the deadline; a response after it is wasted work.
 * Arrivals are open-loop (each scheduled from the last arrival, never from a response), so a slow server cannot
 * slow its own load down, as real clients that time out and move on do not.
 */
final class ServerSimulation {

  static final int WORKERS = 10;
  static final long SERVICE_MILLIS = 10;
  static final long DEADLINE_MILLIS = 100;
  static final Duration RUN = Duration.ofSeconds(10);
  /** Requests per second the workers can serve. */
  static final double CAPACITY_PER_SECOND = WORKERS * 1000.0 / SERVICE_MILLIS;

  /** Admission capacity: the workers plus a queue of up to 9 service times per worker, enough to ride out bursts. */
  static final int ADMISSION_CAPACITY = 100;
  /**
   * The queue's target wait: two service times. At 4x load CRITICAL_PLUS alone keeps the workers 80% busy, and at
   * that utilisation its own requests wait more than one service time now and then; a target below that would
   * count a busy but healthy class as overloaded and shed it.
   */
  static final Duration TARGET_DELAY = Duration.ofMillis(20);

  private static final long MS = 1_000_000L;
  private static final Criticality[] CLASSES = {Criticality.CRITICAL_PLUS, Criticality.CRITICAL,
      Criticality.SHEDDABLE};
  private static final double[] MIX = {0.2, 0.5, 0.3};

  private final double load;
  private final boolean protect;
  private final SplittableRandom random;
  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final long endOfArrivals;
  private final @Nullable AdmissionController admission;
  private final @Nullable BoundedWorkQueue<Request> queue;
  // The unprotected server: every request queued, in order, and served however late.
  private final ArrayDeque<Request> fifo = new ArrayDeque<>();

  private int idleWorkers = WORKERS;
  private final long[] arrivals = new long[Criticality.values().length];
  private final long[] onTime = new long[Criticality.values().length];
  private long onTimeInRun;
  private long late;
  private long shedAtAdmission;
  private long refusedByQueue;
  private long droppedInQueue;
  private long[] waits = new long[1024];
  private int served;

  /** One request: when it arrived and what it carries. */
  private record Request(Criticality criticality, long arrivedAt, CallContext context) {}

  private ServerSimulation(double load, boolean protect, long seed, Duration targetDelay) {
    this.load = load;
    this.protect = protect;
    this.random = new SplittableRandom(seed);
    this.endOfArrivals = ticker.nanos() + RUN.toNanos();
    if (protect) {
      AdmissionController controller = AdmissionController.builder("sim", ADMISSION_CAPACITY)
          .reserve(Criticality.CRITICAL_PLUS, 0.2).reserve(Criticality.CRITICAL, 0.3).build();
      this.admission = controller;
      this.queue = BoundedWorkQueue.<Request>builder("sim", ADMISSION_CAPACITY - WORKERS, (request, reason) -> {
        controller.release(ticker.nanos() - request.arrivedAt());
        droppedInQueue++;
      }).workers(WORKERS).ticker(ticker).targetDelay(targetDelay).build();
    } else {
      this.admission = null;
      this.queue = null;
    }
  }

  /** Runs {@link #RUN} of arrivals at {@code load} times capacity, then lets every deadline pass. */
  static Result run(double load, boolean protect, long seed) {
    return run(load, protect, seed, TARGET_DELAY);
  }

  /** Like {@link #run(double, boolean, long)} with another queue target, to explore the choice. */
  static Result run(double load, boolean protect, long seed, Duration targetDelay) {
    ServerSimulation simulation = new ServerSimulation(load, protect, seed, targetDelay);
    simulation.scheduleNextArrival();
    // After the last arrival's deadline nothing can count as goodput any more.
    simulation.scheduler.advance(RUN.plusMillis(DEADLINE_MILLIS + 1));
    return simulation.result();
  }

  private void scheduleNextArrival() {
    double meanGapNanos = 1e9 / (load * CAPACITY_PER_SECOND);
    long gap = (long) (-Math.log(1 - random.nextDouble()) * meanGapNanos);
    scheduler.schedule(this::arrive, gap);
  }

  private void arrive() {
    long now = ticker.nanos();
    if (now - endOfArrivals >= 0) {
      return;
    }
    scheduleNextArrival();
    Criticality criticality = pickClass();
    arrivals[criticality.rank()]++;
    Deadline deadline = Deadline.afterNanos(DEADLINE_MILLIS * MS, ticker);
    Request request = new Request(criticality, now,
        CallContext.ROOT.withCriticality(criticality).withDeadline(deadline));
    AdmissionController controller = admission;
    BoundedWorkQueue<Request> protectedQueue = queue;
    if (controller == null || protectedQueue == null) {
      fifo.addLast(request);
    } else {
      if (!controller.tryAdmit(criticality)) {
        shedAtAdmission++;
        return;
      }
      try {
        protectedQueue.submit(request, request.context());
      } catch (OverloadedException refused) {
        controller.release();
        refusedByQueue++;
        return;
      }
    }
    dispatch();
  }

  private Criticality pickClass() {
    double u = random.nextDouble();
    for (int i = 0; i < CLASSES.length - 1; i++) {
      if (u < MIX[i]) {
        return CLASSES[i];
      }
      u -= MIX[i];
    }
    return CLASSES[CLASSES.length - 1];
  }

  /** Idle workers take the next requests; the protected queue drops dead ones on the way. */
  private void dispatch() {
    while (idleWorkers > 0) {
      @Nullable Request next = queue != null ? queue.poll() : fifo.pollFirst();
      if (next == null) {
        return;
      }
      start(next);
    }
  }

  private void start(Request request) {
    idleWorkers--;
    long now = ticker.nanos();
    if (served == waits.length) {
      waits = Arrays.copyOf(waits, served * 2);
    }
    waits[served++] = now - request.arrivedAt();
    scheduler.schedule(() -> complete(request), SERVICE_MILLIS * MS);
  }

  private void complete(Request request) {
    idleWorkers++;
    long now = ticker.nanos();
    Deadline deadline = request.context().deadline();
    if (deadline != null && !deadline.isExpired()) {
      onTime[request.criticality().rank()]++;
      // Goodput counts answers given during the run; those in the deadline after it count only as success.
      if (now - endOfArrivals < 0) {
        onTimeInRun++;
      }
    } else {
      late++;
    }
    if (admission != null && queue != null) {
      admission.release(now - request.arrivedAt());
      queue.recordServiceTime(SERVICE_MILLIS * MS);
    }
    dispatch();
  }

  private Result result() {
    long[] sorted = Arrays.copyOf(waits, served);
    Arrays.sort(sorted);
    return new Result(load, protect, arrivals.clone(), onTime.clone(), onTimeInRun, late, shedAtAdmission,
        refusedByQueue, droppedInQueue, sorted);
  }

  /** What one run measured. */
  static final class Result {
    final double load;
    final boolean protect;
    private final long[] arrivals;
    private final long[] onTime;
    final long onTimeInRun;
    final long late;
    final long shedAtAdmission;
    final long refusedByQueue;
    final long droppedInQueue;
    private final long[] sortedWaits;

    Result(double load, boolean protect, long[] arrivals, long[] onTime, long onTimeInRun, long late,
        long shedAtAdmission, long refusedByQueue, long droppedInQueue, long[] sortedWaits) {
      this.load = load;
      this.protect = protect;
      this.arrivals = arrivals;
      this.onTime = onTime;
      this.onTimeInRun = onTimeInRun;
      this.late = late;
      this.shedAtAdmission = shedAtAdmission;
      this.refusedByQueue = refusedByQueue;
      this.droppedInQueue = droppedInQueue;
      this.sortedWaits = sortedWaits;
    }

    /** Responses within their deadline per second of the run. */
    double goodputPerSecond() {
      return onTimeInRun / (RUN.toNanos() / 1e9);
    }

    /** Goodput as a share of what the workers could serve. */
    double goodputShare() {
      return goodputPerSecond() / CAPACITY_PER_SECOND;
    }

    /** The share of {@code criticality}'s requests answered within their deadline. */
    double success(Criticality criticality) {
      long total = arrivals[criticality.rank()];
      return total == 0 ? 1 : (double) onTime[criticality.rank()] / total;
    }

    /** The {@code quantile} of the queue wait of the requests that were served, in milliseconds. */
    double waitMillis(double quantile) {
      if (sortedWaits.length == 0) {
        return 0;
      }
      int index = (int) Math.min(sortedWaits.length - 1, Math.ceil(quantile * sortedWaits.length) - 1);
      return sortedWaits[Math.max(0, index)] / 1e6;
    }

    @Override
    public String toString() {
      StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
          "%.0fx load %s: goodput %.0f/s (%.1f%% of %.0f/s)", load,
          protect ? "with admission control + deadline-aware LIFO/CoDel queue" : "without (unbounded FIFO)",
          goodputPerSecond(), 100 * goodputShare(), CAPACITY_PER_SECOND));
      for (Criticality criticality : CLASSES) {
        text.append(String.format(Locale.ROOT, ", %s %.2f%% of %d on time", criticality,
            100 * success(criticality), arrivals[criticality.rank()]));
      }
      text.append(String.format(Locale.ROOT, "; queue wait of %d served p50 %.1f ms, p99 %.1f ms, max %.1f ms",
          sortedWaits.length, waitMillis(0.5), waitMillis(0.99), waitMillis(1)));
      text.append(String.format(Locale.ROOT, "; late (wasted) %d, shed at admission %d, refused by queue %d, "
          + "dropped in queue %d", late, shedAtAdmission, refusedByQueue, droppedInQueue));
      return text.toString();
    }
  }
}
