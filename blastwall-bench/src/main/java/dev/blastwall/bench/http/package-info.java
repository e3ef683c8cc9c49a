/** The HTTP benchmark: a GET echo on loopback Jetty 12, bare clients against Blastwall's, and its runner. */
@NullMarked
package dev.blastwall.bench.http;

import org.jspecify.annotations.NullMarked;
