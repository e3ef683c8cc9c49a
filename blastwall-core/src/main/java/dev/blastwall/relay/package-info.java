/** What a failure means when it crosses a hop: the verdicts on a failure received from below and one sent above. */
@NullMarked
package dev.blastwall.relay;

import org.jspecify.annotations.NullMarked;
