/** Parallel calls to several upstreams under one deadline, answered in full, partially with flags, or failed. */
@NullMarked
package dev.blastwall.fanout;

import org.jspecify.annotations.NullMarked;
