package dev.blastwall.lab.scenarios;

import dev.blastwall.lab.plan.BlastwallSetup;
import dev.blastwall.lab.plan.FaultSpec;
import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.LoadSpec;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.plan.NaiveSetup;
import dev.blastwall.lab.plan.ScheduledFault;
import dev.blastwall.lab.run.ModeRun;
import dev.blastwall.lab.scenario.Check;
import dev.blastwall.lab.scenario.ModeResult;
import dev.blastwall.lab.scenario.Results;
import dev.blastwall.lab.scenario.Scenario;
import dev.blastwall.lab.scenario.ScenarioParams;
import dev.blastwall.lab.topology.Dependency;
import dev.blastwall.lab.topology.ServiceSpec;
import dev.blastwall.lab.topology.ServiceTime;
import dev.blastwall.lab.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A payments service commits each charge and then loses a fifth of its answers: retries without a key charge again,
 * retries with an idempotency key get the stored answer.
 */
final class DuplicateRequest implements Scenario {

  static final String PAYMENTS = "payments";
  static final double LOST_SHARE = 0.2;

  @Override
  public String name() {
    return "duplicate-request";
  }

  @Override
  public String title() {
    return "A payments service loses 20% of its answers after committing: retries charge twice unless keyed";
  }

  @Override
  public String claim() {
    return "A lost answer does not say whether the work was done. A client that retries a charge without an "
        + "idempotency key charges again every time the answer was lost after the commit: as many duplicate charges "
        + "as lost answers, but for the few lost on the last attempt (with p = 0.2 and 3 retries, duplicates / lost = "
        + "(p + p^2 + p^3) / (p + p^2 + p^3 + p^4) = 0.994), and a fifth of the payments charged twice or more. The "
        + "same retries carrying a key are safe: the service stores the answer of a committed key and returns it to "
        + "the repeat, so no payment is charged twice and every payment is confirmed exactly once.";
  }

  @Override
  public Duration defaultDuration() {
    return Duration.ofSeconds(30);
  }

  @Override
  public double defaultRate() {
    return 30;
  }

  @Override
  public LabPlan plan(ScenarioParams params) {
    ServiceSpec gateway = ServiceSpec.builder("gateway").capacity(32, 128)
        .serviceTime(ServiceTime.fixed(Duration.ofMillis(1)))
        .call(Dependency.required(PAYMENTS).notIdempotent()).build();
    ServiceSpec payments = ServiceSpec.builder(PAYMENTS).capacity(16, 64)
        .serviceTime(ServiceTime.fixed(Duration.ofMillis(10))).build();
    LoadSpec load = LoadSpec.constant(params.rate(), params.duration(), Duration.ofMillis(500));
    ScheduledFault lost = new ScheduledFault(PAYMENTS, Timeline.faultStart(params), Timeline.faultLength(params),
        new FaultSpec.ResponseLost(LOST_SHARE));
    // The default 10% retry budget would refuse about half of the retries a 20% loss needs, and a refused retry
    // leaves the payment unconfirmed. Keyed retries are safe and cheap here (the repeat returns the stored answer),
    // so the payments client may retry up to 30% of its calls.
    BlastwallSetup blastwall = BlastwallSetup.defaults().withRetryBudget(0.3);
    return new LabPlan(Topology.of(gateway, payments), load, List.of(lost), NaiveSetup.defaults(), blastwall);
  }

  @Override
  public Map<String, Object> figures(ModeRun run, ModeResult base, ScenarioParams params) {
    Map<String, Long> counters = run.counters();
    // Payments has no failure of its own here: every failed answer it sent is a lost one.
    long lost = counters.getOrDefault(PAYMENTS + ".failed", 0L);
    long duplicates = counters.getOrDefault(PAYMENTS + ".duplicates", 0L);
    long chargedOnce = counters.getOrDefault(PAYMENTS + ".unique_committed", 0L)
        - counters.getOrDefault(PAYMENTS + ".duplicated_requests", 0L);
    long payments = base.overall().userRequests();
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("payments", payments);
    figures.put("lost_responses", lost);
    figures.put("duplicates", duplicates);
    figures.put("duplicates_per_lost_response", Results.ratio(duplicates, lost));
    figures.put("confirmed_exactly_once", Results.ratio(chargedOnce, payments));
    figures.put("confirmed_to_user", base.overall().successRate());
    return figures;
  }

  @Override
  public List<Check> checks(Map<Mode, ModeResult> results, ScenarioParams params) {
    List<Check> checks = new ArrayList<>();
    double p = LOST_SHARE;
    double ratio = (p + p * p + p * p * p) / (p + p * p + p * p * p + p * p * p * p);
    ModeResult naive = results.get(Mode.NAIVE);
    if (naive != null) {
      checks.add(Check.near("naive", "duplicates_per_lost_response", ratio, 0.05,
          Results.text(ratio) + " = every lost answer retried and charged again, but those lost on the 4th attempt",
          naive.figure("duplicates_per_lost_response")));
    }
    ModeResult blastwall = results.get(Mode.BLASTWALL);
    if (blastwall != null) {
      checks.add(Check.atLeast("blastwall", "lost_responses", 1,
          "~" + Results.text(p * params.rate() * Timeline.faultLength(params).toSeconds())
              + " = 20% of the payments of the fault window (a keyed repeat gets the stored answer, not lost)",
          blastwall.figure("lost_responses")));
      checks.add(Check.atMost("blastwall", "duplicates", 0, "0: a repeated key gets the stored answer",
          blastwall.figure("duplicates")));
      checks.add(Check.atLeast("blastwall", "confirmed_exactly_once", 1,
          "1: every payment charged once, counted at the service", blastwall.figure("confirmed_exactly_once")));
      checks.add(Check.atLeast("blastwall", "confirmed_to_user", 0.999,
          "1: every lost answer retried with its key", blastwall.figure("confirmed_to_user")));
    }
    return checks;
  }
}
