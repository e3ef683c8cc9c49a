package dev.blastwall.lab.topology;

import dev.blastwall.lab.internal.Args;

/**
 * One call a service makes to another while it handles a request.
 *
 * @param service the name of the service called
 * @param required whether the caller fails when this call fails; an optional call that fails is replaced by its
 *     fallback (the part is left out) and the caller's answer is marked degraded
 * @param idempotent whether the call may be repeated safely (a read, or a write carrying an idempotency key); only
 *     idempotent calls are retried or hedged in {@code blastwall} mode
 */
public record Dependency(String service, boolean required, boolean idempotent) {

  /** Checks the service name. */
  public Dependency {
    Args.labName("service", service);
  }

  /** A required, idempotent call. */
  public static Dependency required(String service) {
    return new Dependency(service, true, true);
  }

  /** An optional, idempotent call: on failure the caller answers without it, degraded. */
  public static Dependency optional(String service) {
    return new Dependency(service, false, true);
  }

  /** This call, not idempotent: never repeated unless it carries an idempotency key. */
  public Dependency notIdempotent() {
    return new Dependency(service, required, false);
  }

  @Override
  public String toString() {
    return service + (required ? "" : " (optional)") + (idempotent ? "" : " (not idempotent)");
  }
}
