/** What a lab topology is made of: services with capacity, service time, errors and dependencies; pure values. */
@NullMarked
package dev.blastwall.lab.topology;

import org.jspecify.annotations.NullMarked;
