/** Blastwall around the JDK's {@code java.net.http.HttpClient}: every request through an upstream's pipeline. */
@NullMarked
package dev.blastwall.http.client;

import org.jspecify.annotations.NullMarked;
