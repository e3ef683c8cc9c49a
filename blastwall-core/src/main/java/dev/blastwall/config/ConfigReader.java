package dev.blastwall.config;

import dev.blastwall.context.Criticality;
import dev.blastwall.deadline.DeadlineSlack;
import dev.blastwall.overload.AdmissionController;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a {@link ConfigNode} tree into the {@link BlastwallConfig} model; see {@code docs/configuration.md} for
 * every key. Reading is strict: an unknown key is an error naming the nearest known one, and a value of the wrong
 * type, out of range or not fitting the others is an error naming its path, the value as given, and what was
 * expected. Every error is a {@link ConfigException}; nothing else escapes, whatever the tree.
 */
public final class ConfigReader {

  /** The sections of a configuration. */
  public static final List<String> SECTIONS = List.of("upstreams", "grpc", "server");

  private static final List<String> GRPC_KEYS = List.of("client");
  private static final List<String> CLIENT_KEYS = List.of("default-upstream", "deadline-slack", "methods");
  private static final List<String> SLACK_KEYS = List.of("fraction", "max");
  private static final List<String> METHOD_KEYS = List.of("upstream", "idempotency", "attempt-timeout");
  private static final List<String> SERVER_KEYS = List.of("admission");
  private static final List<String> ADMISSION_KEYS = List.of("capacity", "reserve", "min-retry-after");
  // A service (pkg.Service) or a full method name (pkg.Service/Method): no blanks, at most one slash inside.
  private static final Pattern TARGET = Pattern.compile("[^\\s/]+(/[^\\s/]+)?");

  private ConfigReader() {}

  /**
   * The configuration {@code root} describes: a mapping with any of {@link #SECTIONS}.
   *
   * @throws ConfigException for the first key or value that does not read, in the order written
   */
  public static BlastwallConfig read(ConfigNode root) {
    Section config = Section.of(root, "a mapping of " + String.join(", ", SECTIONS)).checkKeys(SECTIONS);
    Map<String, PipelineConfig> upstreams = new LinkedHashMap<>();
    Section upstreamSection = config.section("upstreams", "a mapping of upstream name to its settings");
    if (upstreamSection != null) {
      for (Map.Entry<String, ConfigNode> upstream : upstreamSection.node().entries().entrySet()) {
        String name = upstream.getKey();
        if (name.isBlank() || name.contains(".")) {
          throw new ConfigException(upstream.getValue().path(), "an upstream name",
              "a name that is not blank and has no dot");
        }
        upstreams.put(name, PipelineReader.read(upstream.getValue()));
      }
    }
    GrpcClientConfig client = null;
    Section grpc = config.section("grpc", "a mapping with client");
    if (grpc != null) {
      Section clientSection = grpc.checkKeys(GRPC_KEYS).section("client", "a mapping of the client's policy");
      client = clientSection == null ? null : grpcClient(clientSection.checkKeys(CLIENT_KEYS), upstreams.keySet());
    }
    AdmissionConfig admission = null;
    Section server = config.section("server", "a mapping with admission");
    if (server != null) {
      Section admissionSection = server.checkKeys(SERVER_KEYS).section("admission", "a mapping of admission settings");
      admission = admissionSection == null ? null : admission(admissionSection.checkKeys(ADMISSION_KEYS));
    }
    return new BlastwallConfig(upstreams, client, admission);
  }

  /**
   * The pipeline one upstream's settings describe: a mapping such as {@code {timeout: 300ms, retry: {...}}}.
   *
   * @throws ConfigException for the first key or value that does not read
   */
  public static PipelineConfig readPipeline(ConfigNode upstream) {
    return PipelineReader.read(upstream);
  }

  private static GrpcClientConfig grpcClient(Section client, Set<String> upstreams) {
    String upstreamsExpected = upstreams.isEmpty()
        ? "an upstream of the upstreams section, which has none"
        : "one of the upstreams " + String.join(", ", upstreams);
    if (!client.has("default-upstream")) {
      throw Section.invalid(client.node(), "a default-upstream, whose pipeline guards the methods that name none");
    }
    String defaultUpstream = upstream(client, "default-upstream", upstreams, upstreamsExpected);
    DeadlineSlack slackDefaults = DeadlineSlack.DEFAULT;
    double fraction = slackDefaults.fraction();
    Duration maxSlack = slackDefaults.max();
    Section slack = client.section("deadline-slack", "a mapping with fraction and max");
    if (slack != null) {
      slack.checkKeys(SLACK_KEYS);
      if (slack.has("fraction")) {
        fraction = slack.decimal("fraction", 0, 1, false, "a fraction 0..1, below 1 (0.1 keeps 10% back)")
            .doubleValue();
        if (fraction >= 1) {
          throw slack.invalid("fraction", "a fraction 0..1, below 1 (0.1 keeps 10% back)");
        }
      }
      maxSlack = slack.has("max") ? slack.duration("max", false) : maxSlack;
    }
    Map<String, MethodConfig> methods = new LinkedHashMap<>();
    Section methodSection = client.section("methods", "a mapping of service or method name to its settings");
    if (methodSection != null) {
      for (Map.Entry<String, ConfigNode> entry : methodSection.node().entries().entrySet()) {
        String target = entry.getKey();
        if (!TARGET.matcher(target).matches()) {
          throw new ConfigException(entry.getValue().path(), "a method name",
              "a service name (pkg.Service) or full method name (pkg.Service/Method)");
        }
        Section method = Section.of(entry.getValue(), "a mapping of the method's settings").checkKeys(METHOD_KEYS);
        String upstream = method.has("upstream") ? upstream(method, "upstream", upstreams, upstreamsExpected) : null;
        MethodConfig.MethodIdempotency idempotency = method.has("idempotency")
            ? method.choice("idempotency", List.of(MethodConfig.MethodIdempotency.values()),
                MethodConfig.MethodIdempotency::text)
            : null;
        Duration attemptTimeout = method.has("attempt-timeout") ? method.duration("attempt-timeout", true) : null;
        methods.put(target, new MethodConfig(upstream, idempotency, attemptTimeout));
      }
    }
    return new GrpcClientConfig(defaultUpstream, fraction, maxSlack, methods);
  }

  private static String upstream(Section section, String key, Set<String> upstreams, String expected) {
    String name = section.text(key, expected);
    if (!upstreams.contains(name)) {
      throw section.invalid(key, expected);
    }
    return name;
  }

  private static AdmissionConfig admission(Section admission) {
    if (!admission.has("capacity")) {
      throw Section.invalid(admission.node(), "a capacity, the requests admitted at once");
    }
    int capacity = admission.integer("capacity", 1, Integer.MAX_VALUE, "an integer >= 1");
    Map<Criticality, Double> reserve = new EnumMap<>(Criticality.class);
    Section reserveSection = admission.section("reserve", "a mapping of criticality to a fraction of the capacity");
    if (reserveSection != null) {
      // The lowest class is left out: there is no class below it to hold slots back from.
      List<String> classes = List.of(Criticality.values()).stream()
          .filter(criticality -> criticality != Criticality.SHEDDABLE).map(ConfigReader::text).toList();
      reserveSection.checkKeys(classes);
      for (Criticality criticality : Criticality.values()) {
        String key = text(criticality);
        if (reserveSection.has(key)) {
          double fraction = reserveSection.number(key, 0, 1, true, "a fraction of the capacity above 0 and below 1");
          if (fraction >= 1 || Math.round(capacity * fraction) < 1) {
            throw reserveSection.invalid(key, fraction >= 1
                ? "a fraction of the capacity above 0 and below 1"
                : "at least one whole slot of capacity " + capacity);
          }
          reserve.put(criticality, fraction);
        }
      }
      long reserved = reserve.values().stream().mapToLong(fraction -> Math.round(capacity * fraction)).sum();
      if (reserved >= capacity) {
        throw Section.invalid(reserveSection.node(), "reservations below the capacity " + capacity + " in total, so "
            + text(Criticality.SHEDDABLE) + " keeps at least one slot (these hold " + reserved + ")");
      }
    }
    Duration minRetryAfter = admission.has("min-retry-after")
        ? admission.duration("min-retry-after", false) : AdmissionController.DEFAULT_MIN_RETRY_AFTER;
    return new AdmissionConfig(capacity, reserve, minRetryAfter);
  }

  /** A criticality as configuration writes it: {@code critical-plus}. */
  static String text(Criticality criticality) {
    return criticality.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
