package dev.blastwall.fallback;

/**
 * What a guarded decision answers when the dependency that makes it cannot: allow or deny. There is no default on
 * purpose; see {@link DependencyCheck}.
 */
public enum Posture {
  /**
   * Allow when the dependency is unavailable: for checks whose failure should not stop the business, such as
   * personalization or a fraud score (allow, and flag the request for review).
   */
  FAIL_OPEN,
  /**
   * Deny when the dependency is unavailable: for checks that protect something, such as authorization. An
   * outage then looks like "access denied" rather than "everyone is admin".
   */
  FAIL_CLOSED
}
