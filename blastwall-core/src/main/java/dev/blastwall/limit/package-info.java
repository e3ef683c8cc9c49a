/** Adaptive concurrency: limits learned from latency, the limiters that enforce them, and client-side throttling. */
@NullMarked
package dev.blastwall.limit;

import org.jspecify.annotations.NullMarked;
