/** One configuration model: typed, immutable settings per policy, read from flat maps or any tree (YAML). */
@NullMarked
package dev.blastwall.config;

import org.jspecify.annotations.NullMarked;
