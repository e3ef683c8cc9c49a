package dev.blastwall.lab.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

/** Reading a run's named counters and series in tests, failing clearly when one is missing. */
final class Counts {

  private Counts() {}

  static long count(ModeRun run, String name) {
    Long count = run.counters().get(name);
    assertThat(count).as("counter %s of %s", name, run.counters().keySet()).isNotNull();
    return count == null ? -1 : count;
  }

  static List<ServicePoint> points(ModeRun run, String service) {
    List<ServicePoint> points = run.services().get(service);
    assertThat(points).as("points of %s", service).isNotNull();
    return points == null ? List.of() : points;
  }

  static EdgeStats edge(ModeRun run, String caller, String callee) {
    EdgeStats edge = run.edge(caller, callee);
    assertThat(edge).as("edge %s->%s of %s", caller, callee, run.edges().keySet()).isNotNull();
    if (edge == null) {
      throw new AssertionError("unreachable");
    }
    return edge;
  }
}
