/** The lab's command line: list, run and demo, with progress, tables, JSON and HTML. */
@NullMarked
package dev.blastwall.lab.cli;

import org.jspecify.annotations.NullMarked;
