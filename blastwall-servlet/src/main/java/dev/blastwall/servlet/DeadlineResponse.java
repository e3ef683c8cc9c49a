package dev.blastwall.servlet;

import dev.blastwall.http.HttpServerCall;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import org.jspecify.annotations.Nullable;

/**
 * The response a handler writes to, which keeps a streaming answer (chunked, server-sent events) under the call's
 * deadline: once the handler's context is cancelled (the deadline passed, or the client went away) every write
 * fails, with an {@code IOException} from the stream or an error flag on the writer ({@code checkError()}), so a
 * handler streaming in a loop stops at its next write. A write the container fails (the client closed the
 * connection) cancels the context, so the handler's own outgoing calls stop too.
 */
final class DeadlineResponse extends HttpServletResponseWrapper {

  private final HttpServerCall call;
  private @Nullable ServletOutputStream stream;
  private @Nullable PrintWriter writer;

  DeadlineResponse(HttpServletResponse response, HttpServerCall call) {
    super(response);
    this.call = call;
  }

  @Override
  public ServletOutputStream getOutputStream() throws IOException {
    ServletOutputStream wrapped = stream;
    if (wrapped == null) {
      wrapped = new Stream(super.getOutputStream(), call);
      stream = wrapped;
    }
    return wrapped;
  }

  @Override
  public PrintWriter getWriter() throws IOException {
    PrintWriter wrapped = writer;
    if (wrapped == null) {
      wrapped = new Writer(super.getWriter(), call);
      writer = wrapped;
    }
    return wrapped;
  }

  private static IOException ended(HttpServerCall call) {
    Throwable why = call.context().cancellation().cause();
    return new IOException("response ended: " + (why == null ? "the call was cancelled" : why.getMessage()), why);
  }

  /** The container's stream, refusing writes once the call is cancelled. */
  private static final class Stream extends ServletOutputStream {
    private final ServletOutputStream out;
    private final HttpServerCall call;

    Stream(ServletOutputStream out, HttpServerCall call) {
      this.out = out;
      this.call = call;
    }

    @Override
    public void write(int b) throws IOException {
      check();
      try {
        out.write(b);
      } catch (IOException gone) {
        throw clientGone(gone);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      check();
      try {
        out.write(b, off, len);
      } catch (IOException gone) {
        throw clientGone(gone);
      }
    }

    @Override
    public void flush() throws IOException {
      check();
      try {
        out.flush();
      } catch (IOException gone) {
        throw clientGone(gone);
      }
    }

    @Override
    public void close() throws IOException {
      out.close();
    }

    @Override
    public boolean isReady() {
      return out.isReady();
    }

    @Override
    public void setWriteListener(WriteListener listener) {
      out.setWriteListener(listener);
    }

    private void check() throws IOException {
      if (call.context().isCancelled()) {
        throw ended(call);
      }
    }

    private IOException clientGone(IOException gone) {
      call.cancel("the client went away: " + gone.getMessage(), gone);
      return gone;
    }
  }

  /** The container's writer, setting its error flag instead of writing once the call is cancelled. */
  private static final class Writer extends PrintWriter {
    private final PrintWriter container;
    private final HttpServerCall call;

    Writer(PrintWriter out, HttpServerCall call) {
      super(out);
      this.container = out;
      this.call = call;
    }

    @Override
    public void write(int c) {
      if (open()) {
        container.write(c);
        watch();
      }
    }

    @Override
    public void write(char[] buf, int off, int len) {
      if (open()) {
        container.write(buf, off, len);
        watch();
      }
    }

    @Override
    public void write(String s, int off, int len) {
      if (open()) {
        container.write(s, off, len);
        watch();
      }
    }

    @Override
    public void flush() {
      if (open()) {
        container.flush();
        watch();
      }
    }

    @Override
    public boolean checkError() {
      // PrintWriter's own checkError answers for the writer it wraps only, not this one's flag.
      if (call.context().isCancelled()) {
        setError();
        return true;
      }
      return super.checkError();
    }

    private boolean open() {
      if (call.context().isCancelled()) {
        setError();
        return false;
      }
      return true;
    }

    /** The container's writer hides a broken connection in its error flag; it means the client went away. */
    private void watch() {
      if (container.checkError()) {
        call.cancel("the client went away (write failed)", null);
      }
    }
  }
}
