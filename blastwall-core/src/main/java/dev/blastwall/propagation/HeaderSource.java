package dev.blastwall.propagation;

import org.jspecify.annotations.Nullable;

/**
 * Where a codec reads headers from: a transport's incoming request (gRPC {@code Metadata}, HTTP headers, a
 * message's properties).
 */
@FunctionalInterface
public interface HeaderSource {

  /**
   * The value of header {@code name} (lower case), or {@code null} when absent. When the transport carries the
   * header more than once, the last value, as gRPC's {@code Metadata.get} and most HTTP stacks give it.
   */
  @Nullable String get(String name);
}
