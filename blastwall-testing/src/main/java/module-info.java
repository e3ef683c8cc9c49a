/** Fake time for tests: a ticker and a scheduler that move only when the test says so. */
module dev.blastwall.testing {
  requires transitive dev.blastwall.core;
  requires static org.jspecify;

  exports dev.blastwall.testing;
}
