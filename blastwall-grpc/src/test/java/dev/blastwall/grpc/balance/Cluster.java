package dev.blastwall.grpc.balance;

import dev.blastwall.grpc.test.echo.EchoGrpc;
import dev.blastwall.grpc.test.echo.EchoReply;
import dev.blastwall.grpc.test.echo.EchoRequest;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/** Real Netty backends on 127.0.0.1, any free port, each with a health service; all shut down on close. */
final class Cluster {

  static final EchoRequest HELLO = EchoRequest.newBuilder().setText("hello").build();

  private static final InetAddress LOOPBACK = loopback();

  private final List<Server> servers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor();

  /** A backend: answers with its name, after {@code delayMillis} (without blocking a thread), or fails. */
  final class Backend extends EchoGrpc.EchoImplBase {
    final String name;
    final AtomicInteger calls = new AtomicInteger();
    final HealthStatusManager health = new HealthStatusManager();
    volatile long delayMillis;
    volatile @Nullable Status failure;
    @Nullable Server server;

    Backend(String name) {
      this.name = name;
    }

    int port() {
      Server s = server;
      if (s == null) {
        throw new IllegalStateException("not started");
      }
      return s.getPort();
    }

    String address() {
      return "127.0.0.1:" + port();
    }

    /**
     * Stops the backend for good, gracefully: no new calls or connections, the calls in flight finish (up to 2 s),
     * then the port closes.
     */
    void kill() {
      Server s = server;
      if (s != null) {
        s.shutdown();
        try {
          s.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        s.shutdownNow();
      }
    }

    /**
     * Stops the backend at once ({@code shutdownNow()}): the calls in flight are reset (the client sees CANCELLED,
     * though it cancelled nothing), then the port closes.
     */
    void stopNow() {
      Server s = server;
      if (s != null) {
        s.shutdownNow();
      }
    }

    /** Echo answers as Get does; it is not idempotent, so a client retries it only when declared keyed. */
    @Override
    public void echo(EchoRequest request, StreamObserver<EchoReply> responseObserver) {
      get(request, responseObserver);
    }

    @Override
    public void get(EchoRequest request, StreamObserver<EchoReply> responseObserver) {
      calls.incrementAndGet();
      Status fail = failure;
      if (fail != null) {
        responseObserver.onError(fail.asRuntimeException());
        return;
      }
      Runnable answer = () -> {
        responseObserver.onNext(EchoReply.newBuilder().setText(request.getText()).setServer(name).build());
        responseObserver.onCompleted();
      };
      long delay = delayMillis;
      if (delay > 0) {
        var unused = delays.schedule(answer, delay, TimeUnit.MILLISECONDS);
      } else {
        answer.run();
      }
    }
  }

  Backend start(String name) {
    Backend backend = new Backend(name);
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress(LOOPBACK, 0),
            InsecureServerCredentials.create())
        .addService(backend)
        .addService(backend.health.getHealthService())
        .build();
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    backend.server = server;
    servers.add(server);
    return backend;
  }

  static String staticTarget(Backend... backends) {
    StringJoiner joiner = new StringJoiner(",", "blastwall-static:///", "");
    for (Backend backend : backends) {
      joiner.add(backend.address());
    }
    return joiner.toString();
  }

  /** A builder for {@code target} using {@code policy} with {@code config} as its service config. */
  static ManagedChannelBuilder<?> builder(String target, String policy, Map<String, ?> config) {
    return Grpc.newChannelBuilder(target, InsecureChannelCredentials.create())
        .defaultServiceConfig(Map.of("loadBalancingConfig", List.of(Map.of(policy, config))));
  }

  ManagedChannel track(ManagedChannel channel) {
    channels.add(channel);
    return channel;
  }

  private static InetAddress loopback() {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException impossible) {
      throw new AssertionError(impossible);
    }
  }

  void close() throws InterruptedException {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow();
    }
    for (Server server : servers) {
      server.shutdownNow();
    }
    for (ManagedChannel channel : channels) {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
    for (Server server : servers) {
      server.awaitTermination(5, TimeUnit.SECONDS);
    }
    delays.shutdownNow();
  }
}
