package dev.blastwall.lab.topology;

import dev.blastwall.lab.internal.Args;
import java.util.Set;

/** The gRPC status code names a lab service may answer with. */
public final class StatusNames {

  /** Every gRPC status code name but OK. */
  public static final Set<String> ERRORS =
      Set.of(
          "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
          "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
          "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED");

  private StatusNames() {}

  /** {@code status} if it names a gRPC error code. */
  public static String check(String name, String status) {
    if (!ERRORS.contains(status)) {
      throw Args.invalid(name, "\"" + status + "\"", "a gRPC error status name such as UNAVAILABLE");
    }
    return status;
  }
}
