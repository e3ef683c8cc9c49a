/** Lab plans written in YAML: {@link dev.blastwall.lab.yaml.LabFile} reads and checks them, naming path and line. */
@NullMarked
package dev.blastwall.lab.yaml;

import org.jspecify.annotations.NullMarked;
