/**
 * The Blastwall lab: a TCP fault proxy that injects Toxiproxy-style toxics between a client and a server, and a
 * load generator that measures latency with HdrHistogram.
 */
module dev.blastwall.lab {
  // Transitive: the API takes and returns core types (Scheduler, RandomSource, Cancellable).
  requires transitive dev.blastwall.core;
  requires static org.jspecify;
  // HdrHistogram 2.2.2 ships no module descriptor and no Automatic-Module-Name: the name is derived from the jar.
  requires HdrHistogram;

  exports dev.blastwall.lab.fault;
  exports dev.blastwall.lab.load;
}
