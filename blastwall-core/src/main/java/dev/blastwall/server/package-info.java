/** The server side of a call, for every protocol: refuse what arrived expired, admit, and release exactly once. */
@NullMarked
package dev.blastwall.server;

import org.jspecify.annotations.NullMarked;
