/**
 * Blastwall for HTTP: the status and header wire every HTTP adapter shares ({@code dev.blastwall.http}), with the
 * JDK's own HTTP server and client as the first users. Depends on nothing beyond Blastwall core and the JDK.
 */
module dev.blastwall.http {
  requires static transitive org.jspecify;
  requires transitive dev.blastwall.core;
  requires transitive java.net.http;
  requires transitive jdk.httpserver;

  exports dev.blastwall.http;
  exports dev.blastwall.http.server;
  exports dev.blastwall.http.client;
}
