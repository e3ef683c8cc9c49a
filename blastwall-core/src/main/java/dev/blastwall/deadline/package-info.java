/** Absolute deadlines on a monotonic ticker, and the wire codec that carries them between services. */
@NullMarked
package dev.blastwall.deadline;

import org.jspecify.annotations.NullMarked;
