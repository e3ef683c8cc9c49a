/**
 * Blastwall core: deadlines and call context, retry with backoff and budgets, and the pipeline that composes
 * policies around a call. No runtime dependencies.
 */
// "module": the qualified export below names adapter modules that are built after this one, so javac cannot
// resolve them here and warns; the export is checked where those modules are compiled against this one.
@SuppressWarnings("module")
module dev.blastwall.core {
  requires static transitive org.jspecify;

  exports dev.blastwall.time;
  exports dev.blastwall.deadline;
  exports dev.blastwall.retry;
  exports dev.blastwall.context;
  exports dev.blastwall.failure;
  exports dev.blastwall.relay;
  exports dev.blastwall.event;
  exports dev.blastwall.pipeline;
  exports dev.blastwall.hedge;
  exports dev.blastwall.fallback;
  exports dev.blastwall.fanout;
  exports dev.blastwall.bulkhead;
  exports dev.blastwall.breaker;
  exports dev.blastwall.ratelimit;
  exports dev.blastwall.balance;
  exports dev.blastwall.overload;
  exports dev.blastwall.registry;
  exports dev.blastwall.config;
  exports dev.blastwall.limit;
  exports dev.blastwall.server;
  exports dev.blastwall.propagation;
  exports dev.blastwall.idempotency;

  // Shared implementation (argument checks, nearest-key suggestions, quoting of untrusted values) for Blastwall's own modules only; each new
  // adapter (HTTP, Kafka) adds itself here.
  exports dev.blastwall.internal to dev.blastwall.grpc, dev.blastwall.lab, dev.blastwall.jdbc, dev.blastwall.redis,
      dev.blastwall.yaml, dev.blastwall.http, dev.blastwall.kafka;
}
