/** Dynamic hedging support: a cheap sliding-window view of an upstream's recent latency percentiles. */
@NullMarked
package dev.blastwall.hedge;

import org.jspecify.annotations.NullMarked;
