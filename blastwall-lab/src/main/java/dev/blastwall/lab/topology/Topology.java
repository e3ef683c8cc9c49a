package dev.blastwall.lab.topology;

import dev.blastwall.lab.internal.Args;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A set of services and the one users call ({@code entry}, usually a gateway). Every called service exists, and
 * calls form no cycle.
 *
 * @param entry the service the load generator calls
 * @param services by name, in declaration order
 */
public record Topology(String entry, Map<String, ServiceSpec> services) {

  /** Copies and validates. */
  public Topology {
    services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
    if (!services.containsKey(entry)) {
      throw Args.invalid("entry", "\"" + entry + "\"", "one of the services " + services.keySet());
    }
    for (Map.Entry<String, ServiceSpec> service : services.entrySet()) {
      if (!service.getKey().equals(service.getValue().name())) {
        throw Args.invalid("services", service.getKey(), "keyed by the service's own name " + service.getValue().name());
      }
      for (String called : service.getValue().dependencyNames()) {
        if (!services.containsKey(called)) {
          throw Args.invalid(
              "services." + service.getKey() + ".calls", "\"" + called + "\"", "one of the services " + services.keySet());
        }
      }
    }
    checkAcyclic(services);
  }

  /** A topology of {@code specs}, in order; {@code entry} names one of them. */
  public static Topology of(String entry, Collection<ServiceSpec> specs) {
    Map<String, ServiceSpec> byName = new LinkedHashMap<>();
    for (ServiceSpec spec : specs) {
      if (byName.put(spec.name(), spec) != null) {
        throw Args.invalid("services", "\"" + spec.name() + "\"", "each service name once");
      }
    }
    return new Topology(entry, byName);
  }

  /** A topology of {@code specs}, the first being the entry. */
  public static Topology of(ServiceSpec entry, ServiceSpec... others) {
    List<ServiceSpec> all = new ArrayList<>();
    all.add(entry);
    all.addAll(List.of(others));
    return of(entry.name(), all);
  }

  /** One service by name. */
  public ServiceSpec service(String name) {
    ServiceSpec spec = services.get(name);
    if (spec == null) {
      throw Args.invalid("service", "\"" + name + "\"", "one of the services " + services.keySet());
    }
    return spec;
  }

  /** Services in an order where each comes after every service it calls (leaves first): start them this way. */
  public List<ServiceSpec> leavesFirst() {
    List<ServiceSpec> order = new ArrayList<>();
    Set<String> placed = new HashSet<>();
    for (String name : services.keySet().stream().sorted().toList()) {
      place(name, placed, order);
    }
    return order;
  }

  private void place(String name, Set<String> placed, List<ServiceSpec> order) {
    if (!placed.add(name)) {
      return;
    }
    ServiceSpec spec = services.get(name);
    if (spec == null) {
      return;
    }
    for (String called : spec.dependencyNames()) {
      place(called, placed, order);
    }
    order.add(spec);
  }

  private static void checkAcyclic(Map<String, ServiceSpec> services) {
    Set<String> done = new HashSet<>();
    for (String name : services.keySet()) {
      visit(name, services, new ArrayList<>(), done);
    }
  }

  private static void visit(String name, Map<String, ServiceSpec> services, List<String> path, Set<String> done) {
    if (done.contains(name)) {
      return;
    }
    if (path.contains(name)) {
      List<String> cycle = new ArrayList<>(path.subList(path.indexOf(name), path.size()));
      cycle.add(name);
      throw Args.invalid("services", String.join(" -> ", cycle), "no cycle of calls");
    }
    path.add(name);
    ServiceSpec spec = services.get(name);
    if (spec != null) {
      for (String called : spec.dependencyNames()) {
        visit(called, services, path, done);
      }
    }
    path.removeLast();
    done.add(name);
  }
}
