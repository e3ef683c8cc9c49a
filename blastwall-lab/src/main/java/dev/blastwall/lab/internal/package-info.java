/** The lab's own helpers, not part of its API. */
@NullMarked
package dev.blastwall.lab.internal;

import org.jspecify.annotations.NullMarked;
