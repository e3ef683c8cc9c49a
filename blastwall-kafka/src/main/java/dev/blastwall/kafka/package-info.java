/** Kafka producer and consumer runner that carry Blastwall's call context and resilience policies. */
@NullMarked
package dev.blastwall.kafka;

import org.jspecify.annotations.NullMarked;
