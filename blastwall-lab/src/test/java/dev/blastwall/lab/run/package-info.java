/** Tests of the lab's runtime: real runs of small topologies on loopback. */
@NullMarked
package dev.blastwall.lab.run;

import org.jspecify.annotations.NullMarked;
