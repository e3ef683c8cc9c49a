/** The call context that travels with a request: deadline, criticality, idempotency, attempt, cancellation, baggage. */
@NullMarked
package dev.blastwall.context;

import org.jspecify.annotations.NullMarked;
