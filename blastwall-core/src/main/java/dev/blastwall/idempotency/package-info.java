/** Server-side idempotency keys: a store SPI that records a keyed request once, replays its response, and a helper. */
@NullMarked
package dev.blastwall.idempotency;

import org.jspecify.annotations.NullMarked;
