package dev.blastwall.lab.run;

import dev.blastwall.lab.fault.FaultProxy;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.run.ReplicaCounters.End;
import io.grpc.Metadata;
import io.grpc.Status;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * One replica of a service: a server on {@code 127.0.0.1:0} in the service's protocol ({@link LabProtocol}), a
 * {@link FaultProxy} in front of it (callers connect to the proxy), a queue, and {@code workers} virtual threads
 * taking requests from it.
 *
 * <p>In naive mode the queue is an unbounded FIFO and nothing judges calls at the server's edge; in blastwall mode
 * Blastwall's server side gives each call its {@code CallContext} (and admission by criticality when the setup
 * sheds by it) and the queue is Blastwall's deadline-aware {@code BoundedWorkQueue}.
 */
final class Replica implements AutoCloseable {

  private static final long CLOSE_WAIT_MILLIS = 2_000;

  final ReplicaCounters counters = new ReplicaCounters();
  /** The application faults active on this replica now. */
  final FaultState faults = new FaultState();
  private final ServiceRuntime service;
  private final Intake intake;
  private final @Nullable BlastwallIntake bounded;
  private final ReplicaServer server;
  private final FaultProxy proxy;
  private final List<Thread> workers = new ArrayList<>();
  /** Requests held by a Hang fault: no worker waits on them; they end when their caller cancels, or at close. */
  private final Set<Work> hung = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  Replica(ServiceRuntime service, int index, SplittableRandom random, Executor executor) {
    this.service = service;
    String name = service.name + "-" + index;
    // The workers' streams first, as before the proxy had a seed, so runs keep their service-time draws.
    List<SplittableRandom> workerRandoms = new ArrayList<>();
    for (int i = 0; i < service.spec.workers(); i++) {
      workerRandoms.add(random.split());
    }
    long proxySeed = random.nextLong();
    if (service.mode == Mode.BLASTWALL) {
      BlastwallIntake queue = new BlastwallIntake(name, service.spec, counters);
      this.bounded = queue;
      this.intake = queue;
    } else {
      this.bounded = null;
      this.intake = new NaiveIntake(counters);
    }
    this.server = LabProtocol.of(service.spec.protocol()).serve(this, service, name, executor);
    FaultProxy started;
    try {
      started = FaultProxy.builder(InetAddress.getLoopbackAddress().getHostAddress(), server.port())
          .random(new SeededRandom(proxySeed)).start();
    } catch (RuntimeException e) {
      server.stop();
      throw e;
    }
    this.proxy = started;
    for (int i = 0; i < service.spec.workers(); i++) {
      RequestWorker worker = new RequestWorker(service, this, workerRandoms.get(i));
      workers.add(Thread.ofVirtual().name(name + "-worker-" + i).start(() -> work(worker)));
    }
  }

  /** Where callers connect: the proxy. */
  InetSocketAddress address() {
    return proxy.address();
  }

  FaultProxy proxy() {
    return proxy;
  }

  /** Holds a request that will never be answered, without holding a worker. */
  void park(Work work) {
    hung.add(work);
    if (work.cancelled() && hung.remove(work)) {
      Answers.abandon(work, End.FAILED);
    }
  }

  private void work(RequestWorker worker) {
    while (!closed) {
      Work work;
      try {
        work = intake.take();
      } catch (InterruptedException e) {
        return;
      }
      long start = service.clock.ticker.nanos();
      try {
        worker.handle(work);
      } catch (InterruptedException e) {
        Answers.fail(work, Status.UNAVAILABLE.withDescription(service.name + " is shutting down"), new Metadata());
        return;
      } catch (RuntimeException e) {
        Answers.fail(work, Status.INTERNAL.withDescription(service.name + ": " + e), new Metadata());
      } finally {
        BlastwallIntake queue = bounded;
        if (queue != null) {
          queue.served(service.clock.ticker.nanos() - start);
        }
      }
    }
  }

  boolean blastwall() {
    return service.mode == Mode.BLASTWALL;
  }

  /** Queues a request the server accepted, or answers it at once when it is malformed. */
  void accept(Work work) {
    if (work.id < 0) {
      Answers.fail(work, Status.INVALID_ARGUMENT.withDescription("request: 8 bytes of request id"), new Metadata());
      return;
    }
    intake.submit(work);
  }

  /** The caller went away: the request's answer is not written, and a hung request ends. */
  void cancelled(Work work) {
    work.cancel();
    if (hung.remove(work)) {
      Answers.abandon(work, End.FAILED);
    }
  }

  @Override
  public void close() {
    closed = true;
    server.stop();
    for (Thread worker : workers) {
      worker.interrupt();
    }
    proxy.close();
    try {
      for (Thread worker : workers) {
        worker.join(CLOSE_WAIT_MILLIS);
      }
      server.awaitStopped(CLOSE_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Work work : List.copyOf(hung)) {
      if (hung.remove(work)) {
        Answers.abandon(work, End.FAILED);
      }
    }
  }
}
