/** Deterministic fakes of Blastwall's time sources, for testing policies and the code that uses them. */
@NullMarked
package dev.blastwall.testing;

import org.jspecify.annotations.NullMarked;
