package dev.blastwall.grpc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A TCP forwarder on 127.0.0.1 in front of a real server, for a fault below gRPC: {@link #resetAll()} resets every
 * open connection (RST, as a crashed host or a middlebox does), with no GOAWAY and no status from the server.
 */
final class TcpForwarder implements AutoCloseable {

  private final ServerSocket listener;
  private final int targetPort;
  private final Queue<Socket> open = new ConcurrentLinkedQueue<>();

  TcpForwarder(int targetPort) {
    this.targetPort = targetPort;
    try {
      listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread.ofVirtual().name("forwarder-accept").start(this::acceptLoop);
  }

  int port() {
    return listener.getLocalPort();
  }

  String target() {
    return "127.0.0.1:" + port();
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException closed) {
        return;
      }
      open.add(client);
      Thread.ofVirtual().name("forwarder-connect").start(() -> connect(client));
    }
  }

  private void connect(Socket client) {
    try {
      Socket server = new Socket();
      open.add(server);
      server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
      Thread.ofVirtual().name("forwarder-up").start(() -> pump(client, server));
      pump(server, client);
    } catch (IOException e) {
      closeQuietly(client);
    }
  }

  private static void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
        out.write(buffer, 0, read);
        out.flush();
      }
    } catch (IOException reset) {
      // The other side went away, or resetAll(): both sockets are closed below.
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  /** Resets every connection open now: the client sees its connection reset, with no GOAWAY. */
  void resetAll() {
    for (Socket socket = open.poll(); socket != null; socket = open.poll()) {
      try {
        socket.setSoLinger(true, 0); // close with RST, not FIN
      } catch (IOException alreadyClosed) {
        // nothing to reset
      }
      closeQuietly(socket);
    }
  }

  /** Stops accepting (the accept loop ends on the closed socket) and resets what is open. */
  @Override
  public void close() {
    closeQuietly(listener);
    resetAll();
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // closing anyway
    }
  }
}
