/** Tests of the lab's command line. */
@NullMarked
package dev.blastwall.lab.cli;

import org.jspecify.annotations.NullMarked;
