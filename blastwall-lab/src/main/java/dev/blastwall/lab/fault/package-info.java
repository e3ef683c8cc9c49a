/**
 * A TCP fault proxy for the lab: {@link dev.blastwall.lab.fault.FaultProxy} forwards connections on loopback and
 * injects faults named after Toxiproxy's toxics (latency, bandwidth, timeout, reset_peer, slow_close), each with a
 * direction and a per-connection probability, added and removed at run time or scheduled on a timeline.
 */
@NullMarked
package dev.blastwall.lab.fault;

import org.jspecify.annotations.NullMarked;
