package dev.blastwall.lab.yaml;

import dev.blastwall.lab.topology.Dependency;
import dev.blastwall.lab.topology.Protocol;
import dev.blastwall.lab.topology.ServiceSpec;
import dev.blastwall.lab.topology.ServiceTime;
import dev.blastwall.lab.topology.Step;
import dev.blastwall.lab.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** The {@code entry} and {@code services} keys of a lab file: the {@link Topology}. */
final class TopologySection {

  static final int DEFAULT_REPLICAS = 1;
  static final int DEFAULT_WORKERS = 16;
  static final int DEFAULT_QUEUE = 64;
  static final ServiceTime DEFAULT_SERVICE_TIME = ServiceTime.fixed(Duration.ofMillis(10));
  static final String DEFAULT_STATUS = "UNAVAILABLE";

  // Upper bounds so a typo cannot exhaust the machine: each replica is a server and a proxy, each worker a thread,
  // and workers plus queue must stay inside an int.
  static final int MAX_REPLICAS = 100;
  static final int MAX_WORKERS = 10_000;
  static final int MAX_QUEUE = 100_000;

  private static final Set<String> SERVICE_KEYS =
      Set.of("replicas", "workers", "queue", "service_time", "errors", "calls", "contention", "protocol");
  private static final Set<String> ERROR_KEYS = Set.of("rate", "status");
  private static final Set<String> CALL_KEYS = Set.of("service", "optional", "idempotent");

  private TopologySection() {}

  /** The topology of a file's top-level {@code fields}, which must hold {@code entry} and {@code services}. */
  static Topology read(Fields fields) {
    Value servicesValue = fields.required("services", "a mapping of service names to services");
    List<Value> entries = servicesValue.entries("service names");
    if (entries.isEmpty()) {
      throw InvalidValue.of(servicesValue.path(), servicesValue.raw(), "at least one service");
    }
    Set<String> names = new LinkedHashSet<>();
    for (Value entry : entries) {
      names.add(new Value(entry.path(), entry.key()).name());
    }
    Value entryValue = fields.required("entry", "the name of the service users call");
    String entry = entryValue.string("a service name");
    if (!names.contains(entry)) {
      throw InvalidValue.of(entryValue.path(), entry, "one of the services " + names);
    }
    Map<String, ServiceSpec> services = new LinkedHashMap<>();
    for (Value service : entries) {
      services.put(service.key(), service(service, names));
    }
    try {
      return new Topology(entry, services);
    } catch (IllegalArgumentException e) {
      // What only the whole topology can tell, such as a cycle of calls: the model's message names it.
      throw new InvalidValue(servicesValue.path(), String.valueOf(e.getMessage()));
    }
  }

  private static ServiceSpec service(Value value, Set<String> names) {
    Fields fields = value.fields(SERVICE_KEYS);
    int replicas = intOr(fields, "replicas", DEFAULT_REPLICAS, 1, MAX_REPLICAS);
    int workers = intOr(fields, "workers", DEFAULT_WORKERS, 1, MAX_WORKERS);
    int queue = intOr(fields, "queue", DEFAULT_QUEUE, 0, MAX_QUEUE);
    Value timeValue = fields.get("service_time");
    ServiceTime time = timeValue == null ? DEFAULT_SERVICE_TIME : ServiceTimes.read(timeValue);
    double errorRate = 0;
    String status = DEFAULT_STATUS;
    Value errorsValue = fields.get("errors");
    if (errorsValue != null) {
      Fields errors = errorsValue.fields(ERROR_KEYS);
      errorRate = errors.required("rate", "a share of requests between 0 and 1").number(0, 1);
      Value statusValue = errors.get("status");
      status = statusValue == null ? DEFAULT_STATUS : statusValue.status();
    }
    Value callsValue = fields.get("calls");
    List<Step> steps = callsValue == null ? List.of() : steps(callsValue, names);
    try {
      Value contention = fields.get("contention");
      // protocol: grpc (the default) or http, the wire the service's replicas serve and its callers use.
      Value protocolValue = fields.get("protocol");
      Protocol protocol = protocolValue == null ? Protocol.GRPC
          : Objects.requireNonNull(Protocol.parse(protocolValue.choice(List.of("grpc", "http"))));
      return new ServiceSpec(value.key(), replicas, workers, queue, time, errorRate, status, steps,
          contention == null ? 0 : contention.number(0, 1_000), protocol);
    } catch (IllegalArgumentException e) {
      throw InvalidValue.fromModel(value.path(), e);
    }
  }

  private static List<Step> steps(Value calls, Set<String> names) {
    List<Step> steps = new ArrayList<>();
    for (Value item : calls.items("calls: service names, {service: ...} or {parallel: [...]}")) {
      if (item.isMap() && item.raw() instanceof Map<?, ?> map && map.containsKey("parallel")) {
        Value group = item.fields(Set.of("parallel")).required("parallel", "a list of calls");
        List<Dependency> parallel = new ArrayList<>();
        for (Value call : group.items("calls made in parallel")) {
          parallel.add(dependency(call, names));
        }
        if (parallel.isEmpty()) {
          throw InvalidValue.of(group.path(), group.raw(), "at least one call");
        }
        steps.add(Step.parallel(parallel));
      } else {
        steps.add(Step.serial(dependency(item, names)));
      }
    }
    return steps;
  }

  private static Dependency dependency(Value call, Set<String> names) {
    if (call.isString()) {
      return new Dependency(serviceName(call, names), true, true);
    }
    if (!call.isMap()) {
      throw InvalidValue.of(call.path(), call.raw(), "a service name or {service: name, optional: ..., idempotent: ...}");
    }
    Fields fields = call.fields(CALL_KEYS);
    String service = serviceName(fields.required("service", "the name of the service called"), names);
    Value optional = fields.get("optional");
    Value idempotent = fields.get("idempotent");
    return new Dependency(
        service, optional == null || !optional.bool(), idempotent == null || idempotent.bool());
  }

  /** A name among {@code names}. */
  static String serviceName(Value value, Set<String> names) {
    String name = value.string("a service name");
    if (!names.contains(name)) {
      throw InvalidValue.of(value.path(), name, "one of the services " + names);
    }
    return name;
  }

  private static int intOr(Fields fields, String key, int fallback, int min, int max) {
    Value value = fields.get(key);
    return value == null ? fallback : value.integer(min, max);
  }

  /** {@code topology} as the {@code entry} and {@code services} keys of a lab file, defaults left out. */
  static void write(Topology topology, Map<String, Object> file) {
    file.put("entry", topology.entry());
    Map<String, Object> services = new LinkedHashMap<>();
    for (ServiceSpec spec : topology.services().values()) {
      Map<String, Object> service = new LinkedHashMap<>();
      if (spec.replicas() != DEFAULT_REPLICAS) {
        service.put("replicas", spec.replicas());
      }
      if (spec.protocol() != Protocol.GRPC) {
        service.put("protocol", spec.protocol().label());
      }
      if (spec.workers() != DEFAULT_WORKERS) {
        service.put("workers", spec.workers());
      }
      if (spec.queue() != DEFAULT_QUEUE) {
        service.put("queue", spec.queue());
      }
      if (!spec.serviceTime().equals(DEFAULT_SERVICE_TIME)) {
        service.put("service_time", ServiceTimes.write(spec.serviceTime()));
      }
      if (spec.errorRate() != 0 || !spec.errorStatus().equals(DEFAULT_STATUS)) {
        Map<String, Object> errors = new LinkedHashMap<>();
        errors.put("rate", spec.errorRate());
        errors.put("status", spec.errorStatus());
        service.put("errors", errors);
      }
      if (spec.contention() != 0) {
        service.put("contention", spec.contention());
      }
      if (!spec.steps().isEmpty()) {
        service.put("calls", spec.steps().stream().map(TopologySection::writeStep).toList());
      }
      services.put(spec.name(), service);
    }
    file.put("services", services);
  }

  private static Object writeStep(Step step) {
    if (!step.isParallel()) {
      return writeCall(step.calls().getFirst());
    }
    return Map.of("parallel", step.calls().stream().map(TopologySection::writeCall).toList());
  }

  private static Object writeCall(Dependency call) {
    if (call.required() && call.idempotent()) {
      return call.service();
    }
    Map<String, Object> written = new LinkedHashMap<>();
    written.put("service", call.service());
    if (!call.required()) {
      written.put("optional", true);
    }
    if (!call.idempotent()) {
      written.put("idempotent", false);
    }
    return written;
  }
}
