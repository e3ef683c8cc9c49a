package dev.blastwall.config;

import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * What a gRPC client does for one service ({@code pkg.Service}) or method ({@code pkg.Service/Method}): the
 * upstream whose pipeline (timeouts, retries, hedging, breaker) guards it, whether it is idempotent where the proto
 * does not say, and how long one attempt may take. A null setting falls back to the service's, then the client's.
 */
public record MethodConfig(
    @Nullable String upstream, @Nullable MethodIdempotency idempotency, @Nullable Duration attemptTimeout) {

  /** A method's idempotency as configuration declares it. */
  public enum MethodIdempotency {
    /** Safe to repeat. */
    IDEMPOTENT,
    /** Not safe to repeat: retried only when it certainly did not run. */
    NON_IDEMPOTENT,
    /** Its server deduplicates on the idempotency key: each call gets a fresh key and may be retried. */
    KEYED;

    /** The name configuration uses: {@code non-idempotent}. */
    public String text() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }
}
