/** Running Blastwall's Lua scripts on Redis: by digest, with the source as the fallback, under a bounded wait. */
@NullMarked
package dev.blastwall.redis.internal;

import org.jspecify.annotations.NullMarked;
