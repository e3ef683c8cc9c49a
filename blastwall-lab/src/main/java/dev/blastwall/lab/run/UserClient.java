package dev.blastwall.lab.run;

import dev.blastwall.context.CallContext;
import dev.blastwall.deadline.Deadline;
import dev.blastwall.lab.load.Outcome;
import dev.blastwall.lab.load.RequestSpec;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.topology.Protocol;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The users' client to the entry service, in its protocol, on connections of its own. Calls are asynchronous (the generator never
 * waits) and never retried: users do not retry in the lab, so every extra request a service sees comes from the
 * services. Naive users wait {@code naive.userTimeout} from the send; Blastwall users send their SLO, counted from
 * the request's intended start, as the deadline, with the request's criticality.
 */
final class UserClient implements AutoCloseable {

  private final Upstream entry;
  private final Mode mode;
  private final RunClock clock;
  private final AtomicInteger inflight = new AtomicInteger();
  private final AtomicInteger maxInflight = new AtomicInteger();
  private volatile long idBase;

  UserClient(Protocol protocol, List<InetSocketAddress> entry, Mode mode, Duration naiveTimeout,
      Duration ejectionTime, RunClock clock, Executor executor, long warmupIdBase) {
    this.mode = mode;
    this.clock = clock;
    this.idBase = warmupIdBase;
    this.entry = LabProtocol.of(protocol).users(entry, mode, naiveTimeout, ejectionTime, clock, executor);
  }

  /** From now on request ids are the generator's sequence numbers (the warm-up used ids above them). */
  void measure() {
    idBase = 0;
  }

  /** Sends one user request; the stage completes with its outcome and never fails. */
  CompletionStage<Outcome> send(RequestSpec request) {
    long id = idBase + request.sequence();
    CompletableFuture<byte[]> answer;
    inflight.incrementAndGet();
    maxInflight.accumulateAndGet(inflight.get(), Math::max);
    if (mode == Mode.NAIVE) {
      answer = entry.call(id, true);
    } else {
      Deadline deadline = Deadline.afterNanos(request.sloDeadlineTickerNanos() - clock.ticker.nanos(), clock.ticker);
      CallContext context = CallContext.ROOT.withDeadline(deadline).withCriticality(request.criticality());
      CallContext previous = context.attach();
      try {
        answer = entry.call(id, true);
      } finally {
        context.detach(previous);
      }
    }
    return answer.handle((reply, failure) -> {
      inflight.decrementAndGet();
      if (failure == null) {
        return LabWire.degraded(reply) ? Outcome.degraded() : Outcome.ok();
      }
      Status.Code code = UnaryCalls.code(failure);
      return code == Status.Code.DEADLINE_EXCEEDED ? Outcome.timeout() : Outcome.error(code.name());
    });
  }

  int inflight() {
    return inflight.get();
  }

  /** The most user requests in flight since the last call. */
  int takeMaxInflight() {
    return Math.max(maxInflight.getAndSet(inflight.get()), inflight.get());
  }

  @Override
  public void close() {
    entry.close();
  }
}
