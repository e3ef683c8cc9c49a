/** Safe retries: which failures to retry, how long to wait between attempts, and budgets that cap retry load. */
@NullMarked
package dev.blastwall.retry;

import org.jspecify.annotations.NullMarked;
