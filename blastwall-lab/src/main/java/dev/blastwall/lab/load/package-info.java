/**
 * Open-loop load generation and its measurement: arrival schedules, a generator that sends each request at its
 * intended time whether or not earlier ones have answered, and per-interval HdrHistogram recording that measures
 * latency from the intended start, free of coordinated omission.
 */
@NullMarked
package dev.blastwall.lab.load;

import org.jspecify.annotations.NullMarked;
