/** Micrometer meters for Blastwall: bind an upstream registry or server-side admission to a meter registry. */
@NullMarked
package dev.blastwall.micrometer;

import org.jspecify.annotations.NullMarked;
