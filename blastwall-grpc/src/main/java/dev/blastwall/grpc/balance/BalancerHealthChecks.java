package dev.blastwall.grpc.balance;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.SynchronizationContext.ScheduledHandle;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * A balancer's active health checks ({@code grpc.health.v1.Health/Check} on each READY subchannel, every
 * interval); confined to the balancer's synchronization context like the balancer itself.
 */
final class BalancerHealthChecks {

  private final BlastwallLoadBalancer balancer;
  private @Nullable ScheduledHandle timer;

  BalancerHealthChecks(BlastwallLoadBalancer balancer) {
    this.balancer = balancer;
  }

  /** Whether the next round of checks is scheduled. */
  boolean scheduled() {
    return timer != null;
  }

  /** Schedules the next round afresh (none if health checking is off or the balancer is shut down). */
  void schedule() {
    cancel();
    BalancerConfig config = balancer.config();
    if (!config.healthChecking() || balancer.isShutdown()) {
      return;
    }
    timer = balancer.syncContext().schedule(() -> {
      timer = null;
      for (BlastwallLoadBalancer.Backend backend : balancer.backends()) {
        if (backend.state == ConnectivityState.READY) {
          check(backend);
        }
      }
      schedule();
    }, config.healthCheckInterval().toNanos(), TimeUnit.NANOSECONDS, balancer.scheduler());
  }

  void cancel() {
    ScheduledHandle handle = timer;
    if (handle != null) {
      handle.cancel();
    }
    timer = null;
  }

  /** Checks {@code backend} now, unless a check of it is in flight or there is no service to check. */
  void check(BlastwallLoadBalancer.Backend backend) {
    BalancerConfig config = balancer.config();
    String service = config.healthCheckServiceName();
    if (service == null || backend.healthCheckInFlight) {
      return;
    }
    backend.healthCheckInFlight = true;
    ClientCall<HealthCheckRequest, HealthCheckResponse> call = backend.subchannel.asChannel().newCall(
        HealthGrpc.getCheckMethod(),
        CallOptions.DEFAULT.withDeadlineAfter(config.healthCheckTimeout().toNanos(), TimeUnit.NANOSECONDS));
    AtomicBoolean serving = new AtomicBoolean();
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onMessage(HealthCheckResponse message) {
        serving.set(message.getStatus() == HealthCheckResponse.ServingStatus.SERVING);
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        // UNIMPLEMENTED: the server has no health service; the gRPC health-checking spec says treat it healthy.
        boolean healthy = status.getCode() == Status.Code.UNIMPLEMENTED || (status.isOk() && serving.get());
        balancer.syncContext().execute(() -> onHealth(backend, healthy));
      }
    }, new Metadata());
    call.sendMessage(HealthCheckRequest.newBuilder().setService(service).build());
    call.halfClose();
    call.request(2);
  }

  private void onHealth(BlastwallLoadBalancer.Backend backend, boolean healthy) {
    backend.healthCheckInFlight = false;
    if (!balancer.isCurrent(backend)) {
      return;
    }
    boolean changed = backend.healthy != healthy;
    backend.healthy = healthy;
    if (changed || !balancer.publishedReady()) {
      balancer.publish();
    }
  }
}
