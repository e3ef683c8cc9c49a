/** Blastwall's OkHttp 5 interceptor: deadlines, safe retries and the call context on every OkHttp call. */
@NullMarked
package dev.blastwall.okhttp;

import org.jspecify.annotations.NullMarked;
