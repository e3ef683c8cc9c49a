package dev.blastwall.lab.yaml;

import dev.blastwall.lab.fault.Direction;
import dev.blastwall.lab.fault.Toxic;
import dev.blastwall.lab.topology.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A {@code network} fault: one toxic in Toxiproxy's vocabulary ({@code latency} with {@code jitter},
 * {@code bandwidth}, {@code timeout}, {@code blackhole}, {@code reset_peer}, {@code slow_close}), with an optional
 * {@code direction} and {@code toxicity}.
 */
final class Toxics {

  private static final List<String> KINDS =
      List.of("latency", "bandwidth", "timeout", "blackhole", "reset_peer", "slow_close");
  private static final Set<String> KEYS = keys();
  private static final List<String> DIRECTIONS = List.of("downstream", "upstream");

  private Toxics() {}

  private static Set<String> keys() {
    List<String> keys = new ArrayList<>(KINDS);
    keys.addAll(List.of("jitter", "direction", "toxicity"));
    return Set.copyOf(keys);
  }

  static Toxic read(Value value) {
    Fields fields = value.fields(KEYS);
    String kind = fields.exactlyOne(KINDS, "toxic");
    Value body = fields.required(kind, kind);
    Value jitter = fields.get("jitter");
    if (jitter != null && !kind.equals("latency")) {
      throw InvalidValue.of(jitter.path(), jitter.raw(), "jitter only with latency");
    }
    Toxic toxic =
        switch (kind) {
          case "latency" -> Toxic.latency(body.duration(), jitter == null ? Duration.ZERO : jitter.duration());
          case "bandwidth" -> Toxic.bandwidth(body.longInteger(1));
          case "timeout" -> Toxic.timeout(body.duration());
          case "blackhole" -> {
            body.isTrue();
            yield Toxic.blackhole();
          }
          case "reset_peer" -> Toxic.resetPeer(body.duration());
          default -> Toxic.slowClose(body.duration());
        };
    Value direction = fields.get("direction");
    if (direction != null) {
      toxic = toxic.withDirection(Direction.valueOf(direction.choice(DIRECTIONS).toUpperCase(Locale.ROOT)));
    }
    Value toxicity = fields.get("toxicity");
    if (toxicity != null) {
      toxic = toxic.withToxicity(toxicity.number(0, 1));
    }
    return toxic;
  }

  static Map<String, Object> write(Toxic toxic) {
    Map<String, Object> written = new LinkedHashMap<>();
    switch (toxic) {
      case Toxic.Latency latency -> {
        written.put("latency", Durations.text(latency.latency()));
        if (!latency.jitter().isZero()) {
          written.put("jitter", Durations.text(latency.jitter()));
        }
      }
      case Toxic.Bandwidth bandwidth -> written.put("bandwidth", bandwidth.bytesPerSecond());
      case Toxic.Timeout timeout when timeout.timeout().isZero() -> written.put("blackhole", true);
      case Toxic.Timeout timeout -> written.put("timeout", Durations.text(timeout.timeout()));
      case Toxic.ResetPeer reset -> written.put("reset_peer", Durations.text(reset.after()));
      case Toxic.SlowClose slowClose -> written.put("slow_close", Durations.text(slowClose.delay()));
    }
    if (toxic.direction() != Direction.DOWNSTREAM) {
      written.put("direction", toxic.direction().name().toLowerCase(Locale.ROOT));
    }
    if (toxic.toxicity() != 1.0) {
      written.put("toxicity", toxic.toxicity());
    }
    return written;
  }
}
