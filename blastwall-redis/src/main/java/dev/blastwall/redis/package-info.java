/** Idempotency records and rate limits in Redis: each decision is one Lua script, one round trip, on Redis time. */
@NullMarked
package dev.blastwall.redis;

import org.jspecify.annotations.NullMarked;
