/** YAML configuration: parses a document into core's neutral configuration tree, bounded in size and nesting. */
@NullMarked
package dev.blastwall.yaml;

import org.jspecify.annotations.NullMarked;
