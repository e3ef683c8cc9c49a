package dev.blastwall.lab.scenario;

import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.run.ModeRun;
import dev.blastwall.lab.run.RunProgress;

/** Runs a plan in one mode for real; the lab's runner ({@code LabRunner::run}) is the one implementation used. */
@FunctionalInterface
public interface ModeRunner {

  /** Runs {@code plan} in {@code mode} with {@code seed}, blocking until done. */
  ModeRun run(LabPlan plan, Mode mode, long seed, RunProgress progress);
}
