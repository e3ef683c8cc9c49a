/** What crosses an HTTP hop, for every HTTP adapter: status to failure kind and back, Retry-After, methods, headers. */
@NullMarked
package dev.blastwall.http;

import org.jspecify.annotations.NullMarked;
