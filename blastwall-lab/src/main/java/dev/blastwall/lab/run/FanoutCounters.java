package dev.blastwall.lab.run;

import dev.blastwall.lab.topology.ServiceSpec;
import dev.blastwall.lab.topology.Step;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Part outcomes at one service's first parallel step: of the requests that ran the step, how many had all of the
 * step's first {@code k} calls succeed, for every {@code k}. From one run, a scenario reads the availability the
 * service would have had if only its first {@code k} parts had been required.
 */
final class FanoutCounters {

  private final LongAdder requests = new LongAdder();
  /** {@code firstOk[k - 1]}: requests whose first k calls all succeeded. */
  private final LongAdder[] firstOk;

  private FanoutCounters(int calls) {
    firstOk = new LongAdder[calls];
    for (int i = 0; i < calls; i++) {
      firstOk[i] = new LongAdder();
    }
  }

  /** Counters for the first parallel step of {@code spec}, or null when it has none. */
  static @Nullable FanoutCounters forService(ServiceSpec spec) {
    int index = firstParallel(spec);
    return index < 0 ? null : new FanoutCounters(spec.steps().get(index).calls().size());
  }

  /** The index of the step these counters watch, the service's first parallel step, or -1 without one. */
  static int firstParallel(ServiceSpec spec) {
    List<Step> steps = spec.steps();
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i).isParallel()) {
        return i;
      }
    }
    return -1;
  }

  /** One request ran the step; {@code ok[i]} says whether its call {@code i} succeeded. */
  void record(boolean[] ok) {
    requests.increment();
    for (int k = 0; k < Math.min(ok.length, firstOk.length) && ok[k]; k++) {
      firstOk[k].increment();
    }
  }

  /** Adds {@code <service>.requests} and {@code <service>.first_<k>_ok}, k from 1, to {@code totals}. */
  void totals(String service, Map<String, Long> totals) {
    totals.put(service + ".requests", requests.sum());
    for (int k = 1; k <= firstOk.length; k++) {
      totals.put(service + ".first_" + k + "_ok", firstOk[k - 1].sum());
    }
  }
}
