@NullMarked
package dev.blastwall.lab.report;

import org.jspecify.annotations.NullMarked;
