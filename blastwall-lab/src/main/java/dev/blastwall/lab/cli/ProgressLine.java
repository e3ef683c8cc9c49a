package dev.blastwall.lab.cli;

import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.run.RunProgress;
import dev.blastwall.lab.run.ServicePoint;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Shows a run's progress on the error stream: one line every 5 seconds (logs and CI read it as plain lines), plus
 * the last second.
 */
final class ProgressLine implements RunProgress {

  private final PrintStream err;
  private final String scenario;
  private final Mode mode;

  ProgressLine(PrintStream err, String scenario, Mode mode) {
    this.err = err;
    this.scenario = scenario;
    this.mode = mode;
  }

  @Override
  public void onSecond(int second, int totalSeconds, ServicePoint entryPoint, int userInflight) {
    boolean last = second + 1 >= totalSeconds;
    if ((second + 1) % 5 != 0 && !last) {
      return;
    }
    err.printf(Locale.ROOT, "   %-16s %-9s %3d/%d s  entry: %5d arrived, %4d failed, %4d shed; users in flight %d%n",
        scenario, mode.label(), second + 1, totalSeconds, entryPoint.arrivals(), entryPoint.failed(),
        entryPoint.shed(), userInflight);
  }
}
