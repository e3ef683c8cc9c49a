/** Rate limiters that answer without blocking: token bucket, leaky bucket, sliding windows, and per-key limits. */
@NullMarked
package dev.blastwall.ratelimit;

import org.jspecify.annotations.NullMarked;
