package dev.blastwall.grpc;

import dev.blastwall.internal.Checks;

/** The adapter's own argument check (gRPC targets); the common ones are core's {@link Checks}. */
final class Args {

  private Args() {}

  /** A service name ({@code package.Service}) or full method name ({@code package.Service/Method}). */
  static String checkTarget(String target) {
    int slash = target.indexOf('/');
    boolean valid = !target.isBlank() && target.equals(target.strip())
        && (slash < 0 || (slash > 0 && slash < target.length() - 1 && target.indexOf('/', slash + 1) < 0));
    if (!valid) {
      throw Checks.invalidArgument("target", '"' + target + '"', "a service name (pkg.Service) or full method name (pkg.Service/Method)");
    }
    return target;
  }
}
