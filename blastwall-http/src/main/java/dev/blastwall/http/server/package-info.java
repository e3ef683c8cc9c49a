/** Blastwall on the JDK's built-in HTTP server ({@code com.sun.net.httpserver}): one filter per context. */
@NullMarked
package dev.blastwall.http.server;

import org.jspecify.annotations.NullMarked;
