/** The upstream registry: one isolated pipeline per upstream, built from code or configuration, with its state. */
@NullMarked
package dev.blastwall.registry;

import org.jspecify.annotations.NullMarked;
