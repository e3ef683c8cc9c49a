package dev.blastwall.servlet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A bare HTTP/1.1 client on one kept-alive socket, so tests send header bytes exactly as written (repeated lines,
 * non-ASCII, 8 KB values), which {@code java.net.http} would refuse or rewrite. Every read is bounded by the
 * socket's timeout: a hang fails the test instead of stalling it.
 */
final class RawHttp implements AutoCloseable {

  record Response(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
    }
  }

  private final int port;
  private final int timeoutMillis;
  private Socket socket;

  RawHttp(int port, int timeoutMillis) throws IOException {
    this.port = port;
    this.timeoutMillis = timeoutMillis;
    this.socket = connect();
  }

  private Socket connect() throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port), timeoutMillis);
    s.setSoTimeout(timeoutMillis);
    return s;
  }

  /** Sends {@code GET path} with {@code headers} (name, value pairs; values written as UTF-8) and reads the answer. */
  Response get(String path, List<String[]> headers) throws IOException {
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    request.writeBytes(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n").getBytes(StandardCharsets.US_ASCII));
    for (String[] header : headers) {
      request.writeBytes((header[0] + ": ").getBytes(StandardCharsets.US_ASCII));
      request.writeBytes(header[1].getBytes(StandardCharsets.UTF_8));
      request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    OutputStream out = socket.getOutputStream();
    out.write(request.toByteArray());
    out.flush();
    Response response = read(socket.getInputStream());
    if (response.header("connection").equalsIgnoreCase("close")) {
      socket.close();
      socket = connect();
    }
    return response;
  }

  private static Response read(InputStream in) throws IOException {
    String statusLine = line(in);
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2) {
      throw new IOException("bad status line: " + statusLine);
    }
    int status = Integer.parseInt(parts[1]);
    Map<String, String> headers = new TreeMap<>();
    for (String line = line(in); !line.isEmpty(); line = line(in)) {
      int colon = line.indexOf(':');
      headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
          (a, b) -> a + "," + b);
    }
    String length = headers.get("content-length");
    if (length == null) {
      throw new IOException("no content-length in the answer (status " + status + ")");
    }
    byte[] body = in.readNBytes(Integer.parseInt(length));
    return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed mid-answer");
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
