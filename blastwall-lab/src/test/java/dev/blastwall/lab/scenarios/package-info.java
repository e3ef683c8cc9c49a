/** Smoke runs of the built-in scenarios. */
@NullMarked
package dev.blastwall.lab.scenarios;

import org.jspecify.annotations.NullMarked;
