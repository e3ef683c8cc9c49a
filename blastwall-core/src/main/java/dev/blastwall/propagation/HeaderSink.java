package dev.blastwall.propagation;

/** Where a codec writes headers to: a transport's outgoing request. */
@FunctionalInterface
public interface HeaderSink {

  /**
   * Sets header {@code name} (lower case) to {@code value}, replacing any value the request had for it. Values are
   * visible ASCII and spaces, never longer than the header's own bound.
   */
  void set(String name, String value);
}
