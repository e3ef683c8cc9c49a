package dev.blastwall.lab.run;

import dev.blastwall.context.CallContext;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.grpc.BlastwallMetadata;
import dev.blastwall.grpc.GrpcStatusMapping;
import dev.blastwall.lab.plan.FaultSpec;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.run.ReplicaCounters.End;
import dev.blastwall.lab.topology.Dependency;
import dev.blastwall.lab.topology.Step;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * What one worker does with one request: the application faults in force, the service time (spent waiting: it
 * is the simulated work), the steps (a serial call, or a parallel fan-out awaited in full), then the answer. A
 * failed required call fails the request with the dependency's status; a failed optional call is left out and the
 * answer is marked degraded, as is an answer built on a degraded one. A request carrying an idempotency key (a
 * keyed non-idempotent call in blastwall mode) goes through the service's {@link IdempotencyStore}: a repeat of a
 * committed key gets the stored answer and commits nothing. Not thread-safe: one per worker thread.
 */
final class RequestWorker {

  private static final long MAX_KEY_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final ServiceRuntime service;
  private final Replica replica;
  private final SplittableRandom random;
  private final boolean blastwall;
  /** The index of the step whose part outcomes are counted, or -1. */
  private final int watched;

  RequestWorker(ServiceRuntime service, Replica replica, SplittableRandom random) {
    this.service = service;
    this.replica = replica;
    this.random = random;
    this.blastwall = service.mode == Mode.BLASTWALL;
    this.watched = FanoutCounters.firstParallel(service.spec);
  }

  void handle(Work work) throws InterruptedException {
    if (blastwall && (work.cancelled() || work.context.isCancelled())) {
      // Nobody waits for this answer any more: Blastwall servers do not spend a worker on it.
      Answers.abandon(work, End.SHED);
      return;
    }
    // Other requests inside the replica as the worker takes this one, for contention.
    int others = replica.counters.inflight() - 1;
    // The same draws for every request, whatever the faults, so both modes walk the same random sequence.
    double faultDraw = random.nextDouble();
    double errorDraw = random.nextDouble();
    double lostDraw = random.nextDouble();
    long serviceNanos = replica.faults.serviceTime(service.spec.serviceTime()).sampleNanos(random);
    if (service.spec.contention() > 0) {
      serviceNanos = (long) (serviceNanos * service.spec.contentionFactor(others));
    }

    if (replica.faults.hanging()) {
      replica.park(work);
      return;
    }
    String key = work.context.idempotency().key();
    if (key == null) {
      serve(work, faultDraw, errorDraw, lostDraw, serviceNanos, null);
      return;
    }
    IdempotencyStore.Claim claim = service.store.claim(key, waitNanos(work));
    switch (claim) {
      case IdempotencyStore.Stored stored -> Answers.ok(work, stored.degraded());
      case IdempotencyStore.Busy busy -> Answers.fail(work,
          Status.UNAVAILABLE.withDescription(service.name + ": the first attempt with this key is still running"),
          new Metadata());
      case IdempotencyStore.Owned owned -> {
        try {
          serve(work, faultDraw, errorDraw, lostDraw, serviceNanos, owned);
        } finally {
          // No-op once committed: a request that did not commit leaves the key to its retry.
          service.store.release(owned);
        }
      }
    }
  }

  /** How long a repeat waits for its key's first attempt: what is left of its deadline, or at most 10 s. */
  private static long waitNanos(Work work) {
    Deadline deadline = work.context.deadline();
    return deadline == null ? MAX_KEY_WAIT_NANOS : Math.max(0, Math.min(MAX_KEY_WAIT_NANOS, deadline.remainingNanos()));
  }

  private void serve(Work work, double faultDraw, double errorDraw, double lostDraw, long serviceNanos,
      IdempotencyStore.@Nullable Owned claim) throws InterruptedException {
    FaultSpec.Errors errors = replica.faults.errors();
    if (errors != null && faultDraw < errors.rate()) {
      Answers.fail(work, status(errors.status(), "injected error"), new Metadata());
      return;
    }
    long started = System.nanoTime();
    TimeUnit.NANOSECONDS.sleep(serviceNanos);
    replica.counters.servedNanos.add(System.nanoTime() - started);
    replica.counters.served.increment();
    if (errorDraw < service.spec.errorRate()) {
      Answers.fail(work, status(service.spec.errorStatus(), "error"), new Metadata());
      return;
    }
    boolean degraded = false;
    List<Step> steps = service.spec.steps();
    for (int i = 0; i < steps.size(); i++) {
      StepResult result = run(steps.get(i), work, i == watched);
      if (result.failure != null) {
        relay(work, result.failedCall, result.failure);
        return;
      }
      degraded |= result.degraded;
    }
    service.committed(replica, work.id);
    if (claim != null) {
      service.store.commit(claim, degraded);
    }
    FaultSpec.ResponseLost lost = replica.faults.responseLost();
    if (lost != null && lostDraw < lost.rate()) {
      Answers.fail(work, Status.UNAVAILABLE.withDescription(service.name + ": response lost after commit"),
          new Metadata());
      return;
    }
    Answers.ok(work, degraded);
  }

  /** Issues the step's calls at once and waits for every one of them. */
  private StepResult run(Step step, Work work, boolean countParts) throws InterruptedException {
    List<Dependency> calls = step.calls();
    List<CompletableFuture<byte[]>> answers = new ArrayList<>(calls.size());
    if (blastwall) {
      // Under the request's contexts: its deadline and criticality go along, and its cancellation cancels them.
      Context previousGrpc = work.grpcContext.attach();
      CallContext previous = work.context.attach();
      try {
        issue(calls, work, answers);
      } finally {
        work.context.detach(previous);
        work.grpcContext.detach(previousGrpc);
      }
    } else {
      issue(calls, work, answers);
    }
    StepResult result = new StepResult();
    boolean[] ok = new boolean[calls.size()];
    for (int i = 0; i < calls.size(); i++) {
      try {
        result.degraded |= LabWire.degraded(answers.get(i).get());
        ok[i] = true;
      } catch (ExecutionException failed) {
        Dependency call = calls.get(i);
        if (!call.required()) {
          result.degraded = true;
        } else if (result.failure == null) {
          result.failure = failed.getCause() != null ? failed.getCause() : failed;
          result.failedCall = call;
        }
      }
    }
    FanoutCounters parts = service.fanout;
    if (parts != null && countParts) {
      parts.record(ok);
    }
    return result;
  }

  private void issue(List<Dependency> calls, Work work, List<CompletableFuture<byte[]>> answers) {
    for (Dependency call : calls) {
      EdgeRecorder edge = service.edge(call.service());
      long start = service.clock.ticker.nanos();
      CompletableFuture<byte[]> answer = service.upstream(call.service()).call(work.id, call.idempotent());
      answers.add(answer.whenComplete(
          (reply, failure) -> edge.record(service.clock.ticker.nanos() - start, failure == null)));
    }
  }

  /**
   * Fails the request with the required dependency's status. Blastwall marks it "do not retry": the hop next to
   * the failure has retried already, and a retry at every hop above would multiply the load.
   */
  private void relay(Work work, @Nullable Dependency call, Throwable failure) {
    Status received = Status.fromThrowable(failure);
    Status status = Status.fromCode(received.getCode()).withDescription(service.name + ": required call to "
        + (call != null ? call.service() : "?") + " failed: " + received.getCode());
    if (!blastwall) {
      Answers.fail(work, status, new Metadata());
      return;
    }
    Metadata marked = new Metadata();
    Metadata trailers = Status.trailersFromThrowable(failure);
    if (trailers != null) {
      marked.merge(trailers);
    }
    BlastwallMetadata.markDoNotRetry(marked);
    StatusRuntimeException relayed = GrpcStatusMapping.toStatusException(GrpcStatusMapping.toFailure(status, marked));
    Metadata relayedTrailers = relayed.getTrailers();
    Answers.fail(work, relayed.getStatus(), relayedTrailers != null ? relayedTrailers : marked);
  }

  private Status status(String code, String what) {
    return Status.fromCode(Status.Code.valueOf(code)).withDescription(service.name + ": " + what);
  }

  /** How one step went. */
  private static final class StepResult {
    boolean degraded;
    @Nullable Throwable failure;
    @Nullable Dependency failedCall;
  }
}
