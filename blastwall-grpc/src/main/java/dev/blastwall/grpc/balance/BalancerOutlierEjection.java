package dev.blastwall.grpc.balance;

import dev.blastwall.balance.OutlierDetector;
import dev.blastwall.time.Ticker;
import io.grpc.SynchronizationContext.ScheduledHandle;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A balancer's passive outlier ejection: core's {@link OutlierDetector} decides from the counts, this class runs its
 * interval and each ejection's return on the balancer's synchronization context, and republishes the picker when
 * the set of ejected backends changes.
 */
final class BalancerOutlierEjection {

  private final BlastwallLoadBalancer balancer;
  private final OutlierDetector detector;
  private @Nullable ScheduledHandle timer;

  BalancerOutlierEjection(BlastwallLoadBalancer balancer, Ticker ticker) {
    this.balancer = balancer;
    this.detector = new OutlierDetector(BalancerConfig.DEFAULTS.outlierSettings(), ticker);
  }

  /** A new backend's counts. */
  OutlierDetector.Host add(String id) {
    return detector.add(id);
  }

  /** Forgets a backend that went away, and its pending return. */
  void remove(BlastwallLoadBalancer.Backend backend) {
    ScheduledHandle returning = backend.returnTimer;
    if (returning != null) {
      returning.cancel();
    }
    detector.remove(backend.outlier);
  }

  /** Applies the outlier part of {@code config}. */
  void configure(BalancerConfig config) {
    detector.settings(config.outlierSettings());
  }

  /** Whether the next interval's evaluation is scheduled. */
  boolean scheduled() {
    return timer != null;
  }

  /** Schedules the next evaluation one interval from now. */
  void schedule() {
    cancel();
    timer = balancer.syncContext().schedule(this::evaluate, balancer.config().interval().toNanos(),
        TimeUnit.NANOSECONDS, balancer.scheduler());
  }

  void cancel() {
    ScheduledHandle handle = timer;
    if (handle != null) {
      handle.cancel();
    }
    timer = null;
  }

  /** On the synchronization context, after a call thread saw {@code backend} reach the consecutive failures. */
  void ejectForConsecutiveFailures(BlastwallLoadBalancer.Backend backend) {
    if (balancer.isCurrent(backend)) {
      ejected(backend, detector.ejectForConsecutiveFailures(backend.outlier));
    }
  }

  private void evaluate() {
    timer = null;
    if (balancer.isShutdown()) {
      return;
    }
    for (OutlierDetector.Ejection ejection : detector.evaluate()) {
      BlastwallLoadBalancer.Backend backend = balancer.backend(ejection.host().id());
      if (backend != null) {
        ejected(backend, ejection.nanos());
      }
    }
    schedule();
  }

  /** Schedules the return of a backend ejected for {@code nanos} (none if -1, not ejected) and republishes. */
  private void ejected(BlastwallLoadBalancer.Backend backend, long nanos) {
    if (nanos < 0) {
      return;
    }
    backend.returnTimer = balancer.syncContext().schedule(() -> {
      backend.returnTimer = null;
      if (balancer.isCurrent(backend)) {
        detector.restore(backend.outlier);
        balancer.publish();
      }
    }, nanos, TimeUnit.NANOSECONDS, balancer.scheduler());
    balancer.publish();
  }
}
