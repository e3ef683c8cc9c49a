/** Runs a lab plan in one mode: real gRPC services on loopback behind fault proxies, load, faults, per-second samples. */
@NullMarked
package dev.blastwall.lab.run;

import org.jspecify.annotations.NullMarked;
