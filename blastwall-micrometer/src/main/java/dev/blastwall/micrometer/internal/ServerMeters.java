package dev.blastwall.micrometer.internal;

import static dev.blastwall.micrometer.MeterNames.ADMISSION_ADMITTED;
import static dev.blastwall.micrometer.MeterNames.ADMISSION_CAPACITY;
import static dev.blastwall.micrometer.MeterNames.ADMISSION_IN_FLIGHT;
import static dev.blastwall.micrometer.MeterNames.ADMISSION_SHED;
import static dev.blastwall.micrometer.MeterNames.CONCURRENCY_IN_FLIGHT;
import static dev.blastwall.micrometer.MeterNames.CONCURRENCY_LIMIT;
import static dev.blastwall.micrometer.MeterNames.CRITICALITY;
import static dev.blastwall.micrometer.MeterNames.NAME;
import static dev.blastwall.micrometer.MeterNames.QUEUE_ACCEPTED;
import static dev.blastwall.micrometer.MeterNames.QUEUE_CAPACITY;
import static dev.blastwall.micrometer.MeterNames.QUEUE_SERVED;
import static dev.blastwall.micrometer.MeterNames.QUEUE_SHED;
import static dev.blastwall.micrometer.MeterNames.QUEUE_SIZE;
import static dev.blastwall.micrometer.MeterNames.REASON;

import dev.blastwall.context.Criticality;
import dev.blastwall.limit.ConcurrencyLimiter;
import dev.blastwall.limit.PartitionedLimiter;
import dev.blastwall.overload.AdmissionController;
import dev.blastwall.overload.BoundedWorkQueue;
import io.micrometer.core.instrument.Tags;

/**
 * The meters of server-side admission. These policies keep their own counts, so every meter reads them when
 * scraped (gauges and function counters): binding adds nothing to a request's path.
 */
public final class ServerMeters {

  private ServerMeters() {}

  /** In flight and capacity, and requests admitted and shed per criticality. */
  public static void admission(AdmissionController admission, OwnedMeters meters) {
    Tags tags = Tags.of(NAME, admission.name());
    meters.gauge(ADMISSION_IN_FLIGHT, "Requests admitted and not yet released, health checks included", tags,
        admission, AdmissionController::inFlight);
    meters.gauge(ADMISSION_CAPACITY, "The most requests in flight at once, health checks aside", tags, admission,
        AdmissionController::capacity);
    for (Criticality criticality : Criticality.values()) {
      Tags tagged = tags.and(CRITICALITY, UpstreamMeters.tag(criticality));
      meters.functionCounter(ADMISSION_ADMITTED, "Requests admitted, by criticality", tagged, admission,
          controller -> controller.snapshot().of(criticality).admitted());
      meters.functionCounter(ADMISSION_SHED, "Requests shed, by criticality", tagged, admission,
          controller -> controller.snapshot().of(criticality).shed());
    }
  }

  /** The current (adaptive) limit and the requests in flight. */
  public static void concurrency(ConcurrencyLimiter limiter, OwnedMeters meters) {
    Tags tags = Tags.of(NAME, limiter.name());
    meters.gauge(CONCURRENCY_LIMIT, "The concurrency limit now", tags, limiter, ConcurrencyLimiter::limit);
    meters.gauge(CONCURRENCY_IN_FLIGHT, "Requests in flight", tags, limiter, ConcurrencyLimiter::inflight);
  }

  /** A partitioned limiter's limit, shared by its partitions, and the requests in flight in all of them. */
  public static void partitioned(PartitionedLimiter<?> limiter, OwnedMeters meters) {
    Tags tags = Tags.of(NAME, limiter.name());
    meters.gauge(CONCURRENCY_LIMIT, "The concurrency limit now", tags, limiter, PartitionedLimiter::limit);
    meters.gauge(CONCURRENCY_IN_FLIGHT, "Requests in flight", tags, limiter, PartitionedLimiter::inflight);
  }

  /** Size and capacity, requests accepted and served, and requests refused or dropped by reason. */
  public static void queue(BoundedWorkQueue<?> queue, OwnedMeters meters) {
    Tags tags = Tags.of(NAME, queue.name());
    meters.gauge(QUEUE_SIZE, "Requests waiting in the queue", tags, queue, BoundedWorkQueue::size);
    meters.gauge(QUEUE_CAPACITY, "The most requests the queue holds", tags, queue, BoundedWorkQueue::capacity);
    meters.functionCounter(QUEUE_ACCEPTED, "Requests the queue accepted", tags, queue,
        watched -> watched.snapshot().accepted());
    meters.functionCounter(QUEUE_SERVED, "Requests handed to a worker", tags, queue,
        watched -> watched.snapshot().served());
    String shed = "Requests refused or dropped, by reason";
    meters.functionCounter(QUEUE_SHED, shed, tags.and(REASON, "full"), queue,
        watched -> watched.snapshot().rejectedFull());
    meters.functionCounter(QUEUE_SHED, shed, tags.and(REASON, "deadline"), queue,
        watched -> watched.snapshot().rejectedDeadline());
    meters.functionCounter(QUEUE_SHED, shed, tags.and(REASON, "expired"), queue,
        watched -> watched.snapshot().droppedExpired());
    meters.functionCounter(QUEUE_SHED, shed, tags.and(REASON, "stale"), queue,
        watched -> watched.snapshot().droppedStale());
  }
}
