/**
 * Blastwall core: deadlines and call context, retry with backoff and budgets, and the pipeline that composes
 * policies around a call. No runtime dependencies.
 */
// "module": the qualified export names Blastwall's own modules, which are built after this one, so javac cannot
// find them yet and would warn.
@SuppressWarnings("module")
module dev.blastwall.core {
  requires static transitive org.jspecify;

  exports dev.blastwall.time;
  exports dev.blastwall.deadline;
  exports dev.blastwall.retry;
  exports dev.blastwall.context;
  exports dev.blastwall.failure;
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
  exports dev.blastwall.limit;

  // Message helpers (Checks, Suggestions) shared with Blastwall's own modules; not API.
  exports dev.blastwall.internal to dev.blastwall.grpc;
}
