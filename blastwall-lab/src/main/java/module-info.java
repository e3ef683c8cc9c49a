/**
 * The Blastwall lab: real gRPC services on loopback behind a TCP fault proxy, an open-loop load generator, failure
 * scenarios run naive and with Blastwall, and their reports.
 */
module dev.blastwall.lab {
  // Transitive: the API takes and returns core types (Scheduler, RandomSource, Cancellable, Criticality).
  requires transitive dev.blastwall.core;
  requires dev.blastwall.grpc;
  // Services over HTTP: blastwall-http, and through it the JDK's HTTP server and client.
  requires dev.blastwall.http;
  // grpc-java ships automatic modules only (Automatic-Module-Name in the manifests).
  requires io.grpc;
  requires io.grpc.netty.shaded;
  requires static org.jspecify;
  // HdrHistogram 2.2.2 ships no module descriptor and no Automatic-Module-Name: the name is derived from the jar.
  requires HdrHistogram;
  requires org.snakeyaml.engine;
  // Whole-machine CPU load for the lab's own health check.
  requires jdk.management;
  // Quiets grpc-java's logging of the connections the faults break on purpose.
  requires java.logging;

  exports dev.blastwall.lab.cli;
  exports dev.blastwall.lab.fault;
  exports dev.blastwall.lab.load;
  exports dev.blastwall.lab.plan;
  exports dev.blastwall.lab.report;
  exports dev.blastwall.lab.run;
  exports dev.blastwall.lab.scenario;
  exports dev.blastwall.lab.scenarios;
  exports dev.blastwall.lab.topology;
  exports dev.blastwall.lab.yaml;
}
