/** Typed events every policy emits (calls, attempts, retries, budgets, deadlines), free when nobody listens. */
@NullMarked
package dev.blastwall.event;

import org.jspecify.annotations.NullMarked;
