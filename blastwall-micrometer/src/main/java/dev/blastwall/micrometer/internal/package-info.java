/** The meters behind {@code BlastwallMetrics}: one class per thing observed; not API. */
@NullMarked
package dev.blastwall.micrometer.internal;

import org.jspecify.annotations.NullMarked;
