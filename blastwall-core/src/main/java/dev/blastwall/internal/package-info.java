/** Implementation shared inside Blastwall; not API, exported only to Blastwall's own modules. */
@NullMarked
package dev.blastwall.internal;

import org.jspecify.annotations.NullMarked;
