/** The lab's built-in failure scenarios, one class each, and the list the CLI runs. */
@NullMarked
package dev.blastwall.lab.scenarios;

import org.jspecify.annotations.NullMarked;
