/** Blastwall's configuration written in YAML, read onto core's configuration model within fixed limits. */
module dev.blastwall.yaml {
  requires static transitive org.jspecify;
  requires transitive dev.blastwall.core;
  requires org.snakeyaml.engine;

  exports dev.blastwall.yaml;
}
