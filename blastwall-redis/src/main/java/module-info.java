/** Blastwall on Redis: an idempotency store and a rate limiter shared by every instance that uses the same Redis. */
// "requires-automatic", "requires-transitive-automatic": Lettuce ships only an Automatic-Module-Name, not a module descriptor, and its
// command interfaces are part of this module's API (callers pass a connection's commands in), so the requirement
// has to be transitive all the same.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.blastwall.redis {
  requires static transitive org.jspecify;
  requires transitive dev.blastwall.core;
  requires transitive lettuce.core;

  exports dev.blastwall.redis;
  // dev.blastwall.redis.internal is not exported: script plumbing shared by the store and the limiter.
}
