package dev.blastwall.lab.topology;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The wire a lab service speaks: gRPC (the default) or HTTP/1.1 on the JDK's own server and client. */
public enum Protocol {
  GRPC,
  HTTP;

  /** The name used in YAML and on the command line: {@code grpc} or {@code http}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The protocol named {@code text} ({@code grpc} or {@code http}), or null for any other text. */
  public static @Nullable Protocol parse(String text) {
    for (Protocol protocol : values()) {
      if (protocol.label().equals(text)) {
        return protocol;
      }
    }
    return null;
  }
}
