package dev.blastwall.lab.run;

import dev.blastwall.context.CallContext;
import dev.blastwall.grpc.BlastwallServerInterceptor;
import dev.blastwall.lab.fault.FaultProxy;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.run.ReplicaCounters.End;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One replica of a service: a gRPC server on {@code 127.0.0.1:0}, a {@link FaultProxy} in front of it (callers
 * connect to the proxy), a queue, and {@code workers} virtual threads taking requests from it.
 *
 * <p>The handler only queues: gRPC's threads never wait for a worker. In naive mode the queue is an unbounded FIFO
 * and no interceptor judges calls; in blastwall mode {@link BlastwallServerInterceptor} gives each call its
 * {@code CallContext} (and admission by criticality when the setup sheds by it) and the queue is Blastwall's
 * deadline-aware {@code BoundedWorkQueue}.
 */
final class Replica implements AutoCloseable {

  private static final long CLOSE_WAIT_MILLIS = 2_000;

  final ReplicaCounters counters = new ReplicaCounters();
  /** The application faults active on this replica now. */
  final FaultState faults = new FaultState();
  private final ServiceRuntime service;
  private final Intake intake;
  private final @Nullable BlastwallIntake bounded;
  private final Server server;
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
    List<ServerInterceptor> interceptors = new ArrayList<>();
    if (service.mode == Mode.BLASTWALL) {
      BlastwallIntake queue = new BlastwallIntake(name, service.spec, counters);
      this.bounded = queue;
      this.intake = queue;
      BlastwallServerInterceptor.Builder blastwall = BlastwallServerInterceptor.builder().environment(service.clock.environment);
      if (service.plan.blastwall().shedByCriticality()) {
        blastwall.admission(CriticalityAdmission.forService(name, service.spec));
      }
      interceptors.add(blastwall.build());
    } else {
      this.bounded = null;
      this.intake = new NaiveIntake(counters);
    }
    // Last in the list runs first: arrivals are counted before anything can refuse them.
    interceptors.add(new ArrivalCounter(counters));
    ServerServiceDefinition definition = ServerInterceptors.intercept(LabWire.service(new Handler()), interceptors);
    try {
      this.server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
          .addService(definition)
          .executor(executor)
          .build()
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a server for " + name, e);
    }
    FaultProxy started;
    try {
      started = FaultProxy.builder(InetAddress.getLoopbackAddress().getHostAddress(), server.getPort())
          .random(new SeededRandom(proxySeed)).start();
    } catch (RuntimeException e) {
      server.shutdownNow();
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

  private void accept(ServerCall<byte[], byte[]> call, Ticket ticket, byte @Nullable [] request, Listener listener) {
    ticket.accept();
    boolean blastwall = service.mode == Mode.BLASTWALL;
    // Naive servers hand work to their own pool, which drops gRPC's context: no deadline or cancel goes along.
    Work work = new Work(request == null ? -1 : LabWire.requestId(request), call, ticket,
        blastwall ? CallContext.current() : CallContext.ROOT, blastwall ? Context.current() : Context.ROOT);
    listener.work = work;
    if (work.id < 0) {
      Answers.fail(work, Status.INVALID_ARGUMENT.withDescription("request: 8 bytes of request id"), new Metadata());
      return;
    }
    intake.submit(work);
  }

  private void cancelled(Work work) {
    work.cancel();
    if (hung.remove(work)) {
      Answers.abandon(work, End.FAILED);
    }
  }

  @Override
  public void close() {
    closed = true;
    server.shutdownNow();
    for (Thread worker : workers) {
      worker.interrupt();
    }
    proxy.close();
    try {
      for (Thread worker : workers) {
        worker.join(CLOSE_WAIT_MILLIS);
      }
      server.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Work work : List.copyOf(hung)) {
      if (hung.remove(work)) {
        Answers.abandon(work, End.FAILED);
      }
    }
  }

  /** Starts each call: asks for its one message and queues the request when the client half-closes. */
  private final class Handler implements ServerCallHandler<byte[], byte[]> {
    @Override
    public ServerCall.Listener<byte[]> startCall(ServerCall<byte[], byte[]> call, Metadata headers) {
      Ticket ticket = Ticket.KEY.get();
      call.request(2);
      return new Listener(call, ticket != null ? ticket : new Ticket(counters));
    }
  }

  /** One call's callbacks; gRPC runs them one at a time. */
  private final class Listener extends ServerCall.Listener<byte[]> {
    private final ServerCall<byte[], byte[]> call;
    private final Ticket ticket;
    private byte @Nullable [] request;
    volatile @Nullable Work work;

    Listener(ServerCall<byte[], byte[]> call, Ticket ticket) {
      this.call = call;
      this.ticket = ticket;
    }

    @Override
    public void onMessage(byte[] message) {
      request = message;
    }

    @Override
    public void onHalfClose() {
      accept(call, ticket, request, this);
    }

    @Override
    public void onCancel() {
      Work accepted = work;
      if (accepted != null) {
        cancelled(accepted);
      }
    }
  }
}
