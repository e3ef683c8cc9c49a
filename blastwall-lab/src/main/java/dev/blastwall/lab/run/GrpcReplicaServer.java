package dev.blastwall.lab.run;

import dev.blastwall.context.CallContext;
import dev.blastwall.grpc.BlastwallServerInterceptor;
import dev.blastwall.lab.plan.Mode;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A replica's gRPC server. The handler only queues: gRPC's threads never wait for a worker. In naive mode no
 * interceptor judges calls; in blastwall mode {@link BlastwallServerInterceptor} gives each call its
 * {@code CallContext} (and admission by criticality when the setup sheds by it).
 */
final class GrpcReplicaServer implements ReplicaServer {

  private final Replica replica;
  private final Server server;

  GrpcReplicaServer(Replica replica, ServiceRuntime service, String name, Executor executor) {
    this.replica = replica;
    List<ServerInterceptor> interceptors = new ArrayList<>();
    if (service.mode == Mode.BLASTWALL) {
      BlastwallServerInterceptor.Builder blastwall = BlastwallServerInterceptor.builder().environment(service.clock.environment);
      if (service.plan.blastwall().shedByCriticality()) {
        blastwall.admission(CriticalityAdmission.forService(name, service.spec));
      }
      interceptors.add(blastwall.build());
    }
    // Last in the list runs first: arrivals are counted before anything can refuse them.
    interceptors.add(new ArrivalCounter(replica.counters));
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
  }

  @Override
  public int port() {
    return server.getPort();
  }

  @Override
  public void stop() {
    server.shutdownNow();
  }

  @Override
  public void awaitStopped(long millis) throws InterruptedException {
    server.awaitTermination(millis, TimeUnit.MILLISECONDS);
  }

  private void accept(ServerCall<byte[], byte[]> call, Ticket ticket, byte @Nullable [] request, Listener listener) {
    ticket.accept();
    boolean blastwall = replica.blastwall();
    // Naive servers hand work to their own pool, which drops gRPC's context: no deadline or cancel goes along.
    Work work = new Work(request == null ? -1 : LabWire.requestId(request), new GrpcReply(call), ticket,
        blastwall ? CallContext.current() : CallContext.ROOT, blastwall ? Context.current() : Context.ROOT);
    listener.work = work;
    replica.accept(work);
  }

  /** Starts each call: asks for its one message and queues the request when the client half-closes. */
  private final class Handler implements ServerCallHandler<byte[], byte[]> {
    @Override
    public ServerCall.Listener<byte[]> startCall(ServerCall<byte[], byte[]> call, Metadata headers) {
      Ticket ticket = Ticket.KEY.get();
      call.request(2);
      return new Listener(call, ticket != null ? ticket : new Ticket(replica.counters));
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
        replica.cancelled(accepted);
      }
    }
  }
}
