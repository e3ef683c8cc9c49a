/** A lab run's plan: topology, load, scheduled faults, and the two modes' configuration (naive and blastwall). */
@NullMarked
package dev.blastwall.lab.plan;

import org.jspecify.annotations.NullMarked;
