package dev.blastwall.lab.fault;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Echoes every byte back on 127.0.0.1 until the client half-closes, then closes. One virtual thread per client. */
final class EchoServer implements AutoCloseable {
  private final ServerSocket socket;
  private final Set<Socket> clients = ConcurrentHashMap.newKeySet();

  EchoServer() throws IOException {
    socket = new ServerSocket();
    socket.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0));
    Thread.ofVirtual().name("echo-accept").start(this::acceptLoop);
  }

  int port() {
    return socket.getLocalPort();
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      Socket client;
      try {
        client = socket.accept();
      } catch (IOException e) {
        return;
      }
      clients.add(client);
      Thread.ofVirtual().name("echo").start(() -> echo(client));
    }
  }

  private void echo(Socket client) {
    try (client) {
      InputStream in = client.getInputStream();
      OutputStream out = client.getOutputStream();
      byte[] buffer = new byte[8192];
      for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
        out.write(buffer, 0, read);
        out.flush();
      }
    } catch (IOException ignored) {
      // The proxy closed or reset the connection: nothing to echo any more.
    } finally {
      clients.remove(client);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
    for (Socket client : List.copyOf(clients)) {
      client.close();
    }
  }
}
