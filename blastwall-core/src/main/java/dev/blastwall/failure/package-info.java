/** What can go wrong in a call, how Blastwall classifies it, and the exceptions its policies raise. */
@NullMarked
package dev.blastwall.failure;

import org.jspecify.annotations.NullMarked;
