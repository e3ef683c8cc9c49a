/** The sources of nondeterminism every policy takes by injection: monotonic time, delayed tasks and randomness. */
@NullMarked
package dev.blastwall.time;

import org.jspecify.annotations.NullMarked;
