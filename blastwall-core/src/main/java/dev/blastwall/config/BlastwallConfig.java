package dev.blastwall.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A whole configuration: the pipeline of each upstream, a gRPC client's policy, a server's admission. Read from a
 * tree by {@link ConfigReader}; from a flat map of today's {@code upstreams.*} keys with {@link FlatConfig}.
 *
 * @param upstreams each upstream's pipeline, by name, in the order written (sorted, from a flat map)
 * @param grpcClient the gRPC client policy, or null
 * @param admission the server's admission, or null
 */
public record BlastwallConfig(
    Map<String, PipelineConfig> upstreams, @Nullable GrpcClientConfig grpcClient, @Nullable AdmissionConfig admission) {

  public BlastwallConfig {
    upstreams = Collections.unmodifiableMap(new LinkedHashMap<>(upstreams));
  }
}
