package dev.blastwall.lab.yaml;

import dev.blastwall.lab.plan.FaultSpec;
import dev.blastwall.lab.plan.ScheduledFault;
import dev.blastwall.lab.topology.Durations;
import dev.blastwall.lab.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@code faults} key of a lab file: faults on the run's timeline, each {@code {service, start, duration}} and
 * one kind: {@code slow_down}, {@code errors}, {@code hang}, {@code down}, {@code response_lost} or {@code network}.
 */
final class FaultsSection {

  private static final List<String> KINDS =
      List.of("slow_down", "errors", "hang", "down", "response_lost", "network");
  private static final Set<String> KEYS = keys();
  private static final Set<String> ERROR_KEYS = Set.of("rate", "status");

  private FaultsSection() {}

  private static Set<String> keys() {
    List<String> keys = new ArrayList<>(KINDS);
    keys.addAll(List.of("service", "replica", "start", "duration"));
    return Set.copyOf(keys);
  }

  static List<ScheduledFault> read(@Nullable Value value, Topology topology) {
    Set<String> services = topology.services().keySet();
    if (value == null) {
      return List.of();
    }
    List<ScheduledFault> faults = new ArrayList<>();
    for (Value item : value.items("faults such as {service: b, start: 5s, duration: 20s, hang: true}")) {
      faults.add(fault(item.fields(KEYS), services, topology));
    }
    return faults;
  }

  private static ScheduledFault fault(Fields fields, Set<String> services, Topology topology) {
    String service = TopologySection.serviceName(fields.required("service", "the service the fault acts on"), services);
    Value startValue = fields.get("start");
    Duration start = startValue == null ? Duration.ZERO : startValue.duration();
    Duration duration = fields.required("duration", "how long the fault lasts").positiveDuration();
    String kind = fields.exactlyOne(KINDS, "fault");
    Value body = fields.required(kind, kind);
    FaultSpec fault =
        switch (kind) {
          case "slow_down" -> new FaultSpec.SlowDown(ServiceTimes.read(body));
          case "errors" -> errors(body.fields(ERROR_KEYS));
          case "hang" -> {
            body.isTrue();
            yield new FaultSpec.Hang();
          }
          case "down" -> {
            body.isTrue();
            yield new FaultSpec.HardDown();
          }
          case "response_lost" -> new FaultSpec.ResponseLost(body.number(0, 1));
          default -> new FaultSpec.Network(Toxics.read(body));
        };
    Value replicaValue = fields.get("replica");
    int replica = ScheduledFault.ALL_REPLICAS;
    if (replicaValue != null) {
      replica = replicaValue.integer(0);
      int replicas = topology.service(service).replicas();
      if (replica >= replicas) {
        throw InvalidValue.of(replicaValue.path(), replicaValue.raw(),
            "a replica index below " + replicas + ", the replicas of " + service);
      }
    }
    return new ScheduledFault(service, start, duration, fault, replica);
  }

  private static FaultSpec errors(Fields fields) {
    double rate = fields.required("rate", "a share of requests between 0 and 1").number(0, 1);
    Value status = fields.get("status");
    return new FaultSpec.Errors(rate, status == null ? TopologySection.DEFAULT_STATUS : status.status());
  }

  /** {@code faults} as the {@code faults} key of a lab file. */
  static List<Object> write(List<ScheduledFault> faults) {
    List<Object> written = new ArrayList<>();
    for (ScheduledFault fault : faults) {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("service", fault.service());
      if (!fault.allReplicas()) {
        item.put("replica", fault.replica());
      }
      item.put("start", Durations.text(fault.start()));
      item.put("duration", Durations.text(fault.duration()));
      switch (fault.fault()) {
        case FaultSpec.SlowDown slowDown -> item.put("slow_down", ServiceTimes.write(slowDown.serviceTime()));
        case FaultSpec.Errors errors -> {
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("rate", errors.rate());
          body.put("status", errors.status());
          item.put("errors", body);
        }
        case FaultSpec.Hang hang -> item.put("hang", true);
        case FaultSpec.HardDown down -> item.put("down", true);
        case FaultSpec.ResponseLost lost -> item.put("response_lost", lost.rate());
        case FaultSpec.Network network -> item.put("network", Toxics.write(network.toxic()));
      }
      written.add(item);
    }
    return written;
  }
}
