/** Implementation of the consumer runner: dead-letter records and per-partition retry state. Not exported. */
@NullMarked
package dev.blastwall.kafka.internal;

import org.jspecify.annotations.NullMarked;
