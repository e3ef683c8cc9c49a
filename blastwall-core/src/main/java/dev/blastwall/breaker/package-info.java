/** Circuit breaking: stop sending calls to an upstream that keeps failing, then probe it back to health. */
@NullMarked
package dev.blastwall.breaker;

import org.jspecify.annotations.NullMarked;
