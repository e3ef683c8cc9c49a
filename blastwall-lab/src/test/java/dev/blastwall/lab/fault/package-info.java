@NullMarked
package dev.blastwall.lab.fault;

import org.jspecify.annotations.NullMarked;
