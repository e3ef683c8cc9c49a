package dev.blastwall.http.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;

/**
 * A socket on 127.0.0.1 that reads requests and never answers: it records each request's head and counts down
 * {@link #closed} when the client closes the connection, which is how a server sees an exchange cancelled.
 */
final class BlackHole implements AutoCloseable {

  private static final int MAX_HEAD_BYTES = 16 * 1024;

  final List<String> heads = new CopyOnWriteArrayList<>();
  final CountDownLatch closed = new CountDownLatch(1);
  private final ServerSocket socket;

  BlackHole() {
    try {
      socket = new ServerSocket(0, 50, TestServer.LOOPBACK);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread.ofVirtual().start(this::acceptAll);
  }

  URI base() {
    return URI.create("http://127.0.0.1:" + socket.getLocalPort());
  }

  /** The value of header {@code name} in request {@code index}, or null. */
  @Nullable String header(int index, String name) {
    for (String line : heads.get(index).lines().toList()) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  private void acceptAll() {
    while (!socket.isClosed()) {
      try {
        Socket connection = socket.accept();
        Thread.ofVirtual().start(() -> hold(connection));
      } catch (IOException closing) {
        return;
      }
    }
  }

  private void hold(Socket connection) {
    try (connection) {
      connection.setSoTimeout(20_000);
      InputStream in = connection.getInputStream();
      StringBuilder head = new StringBuilder();
      int b;
      while (head.length() < MAX_HEAD_BYTES && (b = in.read()) >= 0) {
        head.append((char) b);
        if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
          heads.add(head.toString());
          break;
        }
      }
      // Read on: -1 means the client closed the connection.
      while (in.read() >= 0) {
        // never answer
      }
      closed.countDown();
    } catch (IOException ignored) {
      // a read timeout leaves the latch up, and the test waiting on it fails
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
