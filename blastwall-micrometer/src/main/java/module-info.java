/**
 * Blastwall for Micrometer: meters for every upstream's pipeline (calls, attempts, budgets, breaker, bulkhead,
 * rate limiter, latency) and for server-side admission, bound to any {@code MeterRegistry}.
 */
module dev.blastwall.micrometer {
  requires transitive dev.blastwall.core;
  // Micrometer ships automatic modules only (Automatic-Module-Name in its manifests).
  requires transitive micrometer.core;
  requires static org.jspecify;

  exports dev.blastwall.micrometer;
}
