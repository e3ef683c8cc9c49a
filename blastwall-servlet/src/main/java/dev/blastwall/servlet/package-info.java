/** A Jakarta Servlet filter that binds the caller's context for the handler, refuses what must not run, and ends each call once. */
@NullMarked
package dev.blastwall.servlet;

import org.jspecify.annotations.NullMarked;
