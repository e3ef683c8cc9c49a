package dev.blastwall.grpc;

import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Real Netty servers on 127.0.0.1, any free port, and Blastwall channels to them; all shut down on close. */
final class Servers {

  private static final InetAddress LOOPBACK = loopback();

  private final List<Server> servers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  /** Starts a server for {@code service}; the last interceptor listed runs first, as in {@link ServerInterceptors}. */
  Server start(BindableService service, ServerInterceptor... interceptors) {
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress(LOOPBACK, 0),
            InsecureServerCredentials.create())
        .addService(ServerInterceptors.intercept(service, interceptors))
        .build();
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    servers.add(server);
    return server;
  }

  private static InetAddress loopback() {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException impossible) {
      throw new AssertionError(impossible);
    }
  }

  /** A channel to {@code server} with gRPC retries off and {@code policy} installed. */
  ManagedChannel channel(Server server, GrpcClientPolicy policy) {
    return channel("127.0.0.1:" + server.getPort(), policy);
  }

  /** A channel to {@code target}, e.g. a {@link TcpForwarder} in front of a server; otherwise as above. */
  ManagedChannel channel(String target, GrpcClientPolicy policy) {
    ManagedChannel channel = BlastwallChannels.forTarget(target, policy).build();
    channels.add(channel);
    return channel;
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
  }
}
