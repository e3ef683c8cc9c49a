package dev.blastwall.context;

/**
 * How much a request matters when a server must choose what to drop. Load shedding drops {@link #SHEDDABLE} first
 * and {@link #CRITICAL_PLUS} last; health checks are never shed.
 */
public enum Criticality {
  /** Reserved for the traffic whose loss is an outage (checkout, login). Shed last. */
  CRITICAL_PLUS,
  /** The default for user-facing requests. */
  CRITICAL,
  /** Traffic that may be dropped under overload, with a user-visible but tolerable cost (free users). */
  SHEDDABLE_PLUS,
  /** Batch, prefetch and crawler traffic: shed first. */
  SHEDDABLE;

  /** Whether this criticality outranks {@code other} (is shed later). */
  public boolean isAbove(Criticality other) {
    return rank() < other.rank();
  }

  /** 0 for the most important class; shedding goes from the highest rank down. */
  public int rank() {
    return switch (this) {
      case CRITICAL_PLUS -> 0;
      case CRITICAL -> 1;
      case SHEDDABLE_PLUS -> 2;
      case SHEDDABLE -> 3;
    };
  }
}
