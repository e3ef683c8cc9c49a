/** What crosses a hop in headers, for every adapter: the header names, their codecs and the call-context codec. */
@NullMarked
package dev.blastwall.propagation;

import org.jspecify.annotations.NullMarked;
