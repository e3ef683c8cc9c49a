/**
 * Blastwall for OkHttp 5: an application interceptor that runs each call through one upstream's pipeline, on the
 * HTTP wire of {@code dev.blastwall.http}.
 */
module dev.blastwall.okhttp {
  requires static transitive org.jspecify;
  requires transitive dev.blastwall.http;
  // OkHttp ships an automatic module only (Automatic-Module-Name in its manifest).
  requires transitive okhttp3;

  exports dev.blastwall.okhttp;
}
