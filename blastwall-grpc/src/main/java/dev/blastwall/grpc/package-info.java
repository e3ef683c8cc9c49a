/** gRPC adapter: interceptors, the client policy, metadata keys, status mapping and the admission hook. */
@NullMarked
package dev.blastwall.grpc;

import org.jspecify.annotations.NullMarked;
