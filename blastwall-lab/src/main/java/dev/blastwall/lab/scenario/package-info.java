/** The failure scenarios of the seed, each run naive and with Blastwall, and their results with expected figures. */
@NullMarked
package dev.blastwall.lab.scenario;

import org.jspecify.annotations.NullMarked;
