/** Protocol-neutral client-side load balancing: endpoints with live load state and the selectors that pick one. */
@NullMarked
package dev.blastwall.balance;

import org.jspecify.annotations.NullMarked;
