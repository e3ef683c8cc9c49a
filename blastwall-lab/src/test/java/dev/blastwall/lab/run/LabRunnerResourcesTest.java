package dev.blastwall.lab.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.lab.plan.BlastwallSetup;
import dev.blastwall.lab.plan.FaultSpec;
import dev.blastwall.lab.plan.LabPlan;
import dev.blastwall.lab.plan.Mode;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** Runs release what they started: repeated runs in one JVM do not pile up threads. */
class LabRunnerResourcesTest {

  /** gRPC and Netty release their shared pools about a second after the last user; this is ample. */
  private static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(8);
  /** Threads other tests or the JVM may start meanwhile. */
  private static final int SLACK = 2;

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

  @Test
  void repeatedRunsDoNotLeakThreads() {
    Duration duration = Duration.ofSeconds(1);
    LabPlan plan = Plans.plan(Plans.gatewayToBackend(), duration,
        Plans.throughout("backend", duration, new FaultSpec.Errors(0.2, "UNAVAILABLE")), BlastwallSetup.defaults());

    LabRunner.run(plan, Mode.NAIVE, 1, RunProgress.NONE);
    int afterFirst = settledThreadCount(Integer.MAX_VALUE);
    LabRunner.run(plan, Mode.BLASTWALL, 2, RunProgress.NONE);

    assertThat(settledThreadCount(afterFirst + SLACK)).isLessThanOrEqualTo(afterFirst + SLACK);
  }

  /** The live platform thread count once it is at most {@code target}, or after the settle time if it never is. */
  private int settledThreadCount(int target) {
    long end = System.nanoTime() + SETTLE_NANOS;
    int previous = -1;
    while (System.nanoTime() < end) {
      int count = threads.getThreadCount();
      if (count <= target && (target != Integer.MAX_VALUE || count == previous)) {
        return count;
      }
      previous = count;
      // Polling an event (threads ending), not waiting out a time: the loop ends as soon as the count settles.
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1_200));
    }
    return threads.getThreadCount();
  }
}
