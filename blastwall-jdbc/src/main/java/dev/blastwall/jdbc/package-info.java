/** Idempotency records in PostgreSQL: one round trip to claim a key, and completion inside the caller's transaction. */
@NullMarked
package dev.blastwall.jdbc;

import org.jspecify.annotations.NullMarked;
