@NullMarked
package dev.blastwall.lab.yaml;

import org.jspecify.annotations.NullMarked;
