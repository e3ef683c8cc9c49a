/** The pipeline: policies composed around a call in one documented order, run blocking or async. */
@NullMarked
package dev.blastwall.pipeline;

import org.jspecify.annotations.NullMarked;
