/**
 * Blastwall for Jakarta Servlet containers (Jetty, Tomcat, Undertow, Spring MVC): a {@code Filter} on Blastwall's
 * HTTP call edge. The container provides the Servlet API.
 */
module dev.blastwall.servlet {
  requires static transitive org.jspecify;
  requires transitive dev.blastwall.http;
  requires transitive jakarta.servlet;

  exports dev.blastwall.servlet;
}
