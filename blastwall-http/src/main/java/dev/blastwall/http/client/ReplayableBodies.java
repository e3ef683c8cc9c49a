package dev.blastwall.http.client;

import java.io.InputStream;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.function.Supplier;

/**
 * Request bodies that can be sent again, which every retried or hedged request needs: each attempt subscribes to
 * the request's publisher anew. The JDK's {@code ofString}, {@code ofByteArray}, {@code ofFile} and {@code noBody}
 * replay by themselves; a stream does not, so it is given as a supplier that opens it once per attempt.
 */
public final class ReplayableBodies {

  private ReplayableBodies() {}

  /** {@code bytes} (copied now, so later changes to the array do not reach a retry). */
  public static BodyPublisher ofBytes(byte[] bytes) {
    return BodyPublishers.ofByteArray(bytes.clone());
  }

  /** The bytes {@code opener} gives, asked once per attempt. */
  public static BodyPublisher ofBytes(Supplier<byte[]> opener) {
    return BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(opener.get()));
  }

  /** A stream {@code opener} opens anew for each attempt (and the client closes). */
  public static BodyPublisher ofStream(Supplier<? extends InputStream> opener) {
    return BodyPublishers.ofInputStream(opener);
  }
}
