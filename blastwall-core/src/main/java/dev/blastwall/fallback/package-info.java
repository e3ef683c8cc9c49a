/** Degraded answers instead of errors: fallbacks, and explicit fail-open or fail-closed decisions on dependencies. */
@NullMarked
package dev.blastwall.fallback;

import org.jspecify.annotations.NullMarked;
