package dev.blastwall.servlet;

import dev.blastwall.http.HttpFailureResponse;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Writes an {@link HttpFailureResponse} as a plain-text answer: status, Blastwall headers, one line of body. */
final class ServletAnswers {

  private ServletAnswers() {}

  /** Sends {@code answer} on {@code response}, which must not be committed. */
  static void send(HttpFailureResponse answer, HttpServletResponse response) throws IOException {
    response.resetBuffer();
    response.setStatus(answer.status());
    answer.writeHeaders(response::setHeader);
    response.setContentType("text/plain;charset=utf-8");
    String body = answer.message() + "\n";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    response.setContentLength(bytes.length);
    ServletOutputStream stream;
    try {
      stream = response.getOutputStream();
    } catch (IllegalStateException writerTaken) {
      // The handler had taken the writer (the response allows only one of the two) before it failed or timed out.
      response.getWriter().write(body);
      response.flushBuffer();
      return;
    }
    stream.write(bytes);
    response.flushBuffer();
  }
}
