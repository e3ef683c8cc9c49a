package dev.blastwall.lab.scenarios;

import dev.blastwall.lab.internal.Args;
import dev.blastwall.lab.scenario.Scenario;
import java.util.List;
import java.util.stream.Stream;

/** The scenarios the lab ships, in the order the demo runs them. */
public final class BuiltInScenarios {

  private static final List<Scenario> DEMO =
      List.of(new RetryStorm(), new SlowDependency(), new FanoutTail(), new Overload(), new Outage());

  private BuiltInScenarios() {}

  /** The five scenarios of {@code ./blastwall demo}. */
  public static List<Scenario> demo() {
    return DEMO;
  }

  private static final List<Scenario> MORE =
      List.of(new Queueing(), new Metastable(), new StaleEndpoint(), new Partition(), new DuplicateRequest(),
          new Bulkhead(), new FanoutAvailability());

  private static final List<Scenario> ALL = Stream.concat(DEMO.stream(), MORE.stream()).toList();

  /** Every built-in scenario: the demo's, then the rest of the seed's. */
  public static List<Scenario> all() {
    return ALL;
  }

  /** The scenario called {@code name}. */
  public static Scenario byName(String name) {
    for (Scenario scenario : all()) {
      if (scenario.name().equals(name)) {
        return scenario;
      }
    }
    throw Args.invalid("scenario", "\"" + name + "\"",
        "one of " + all().stream().map(Scenario::name).toList() + "; see ./blastwall lab list");
  }
}
