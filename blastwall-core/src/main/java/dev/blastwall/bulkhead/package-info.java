/** Bulkheads: bound the calls in flight to one upstream so a slow dependency cannot exhaust the caller. */
@NullMarked
package dev.blastwall.bulkhead;

import org.jspecify.annotations.NullMarked;
