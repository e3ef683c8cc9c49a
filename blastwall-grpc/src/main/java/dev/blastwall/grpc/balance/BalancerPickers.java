package dev.blastwall.grpc.balance;

import dev.blastwall.balance.Endpoint;
import dev.blastwall.balance.Selector;
import io.grpc.CallOptions;
import io.grpc.ClientStreamTracer;
import io.grpc.Deadline;
import io.grpc.LoadBalancer.PickResult;
import io.grpc.LoadBalancer.PickSubchannelArgs;
import io.grpc.LoadBalancer.SubchannelPicker;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import java.util.concurrent.atomic.AtomicBoolean;

/** What {@link BlastwallLoadBalancer} publishes: the pickers, and the stream tracers that count each call's end. */
final class BalancerPickers {

  private BalancerPickers() {}

  /** Immutable; each picker owns a selector over its own snapshot, so a pick never sees a foreign endpoint. */
  static final class Picker extends SubchannelPicker {
    private final Selector selector;
    private final Map<Endpoint, BlastwallLoadBalancer.Backend> backends;
    private final boolean needsKey;

    Picker(Selector selector, Map<Endpoint, BlastwallLoadBalancer.Backend> backends, boolean needsKey) {
      this.selector = selector;
      this.backends = backends;
      this.needsKey = needsKey;
    }

    @Override
    public PickResult pickSubchannel(PickSubchannelArgs args) {
      Object key = null;
      if (needsKey) {
        key = args.getCallOptions().getOption(BlastwallBalancing.REQUEST_KEY);
        if (key == null) {
          key = args.getHeaders().get(BlastwallBalancing.REQUEST_KEY_HEADER);
        }
      }
      Endpoint endpoint = selector.pick(key);
      BlastwallLoadBalancer.Backend backend = endpoint == null ? null : backends.get(endpoint);
      if (endpoint == null || backend == null) {
        return PickResult.withNoResult();
      }
      return PickResult.withSubchannel(backend.subchannel, new TracerFactory(backend, endpoint));
    }

    @Override
    public String toString() {
      return "BlastwallPicker{" + selector.name() + ", " + selector.endpoints() + "}";
    }
  }

  /** Counts a call against its endpoint from the moment its stream exists until it closes. */
  static final class TracerFactory extends ClientStreamTracer.Factory {
    private final BlastwallLoadBalancer.Backend backend;
    private final Endpoint endpoint;

    TracerFactory(BlastwallLoadBalancer.Backend backend, Endpoint endpoint) {
      this.backend = backend;
      this.endpoint = endpoint;
    }

    @Override
    public ClientStreamTracer newClientStreamTracer(ClientStreamTracer.StreamInfo info, Metadata headers) {
      CallOptions options = info.getCallOptions();
      return new Tracer(backend, endpoint,
          Boolean.TRUE.equals(options.getOption(BlastwallBalancing.ATTEMPT_DEADLINE)) ? options.getDeadline() : null);
    }
  }

  /**
   * Whether a stream ended because its attempt's own time limit passed ({@code attemptDeadline}: the deadline of an
   * attempt marked {@link BlastwallBalancing#ATTEMPT_DEADLINE}, else null). The stream sees DEADLINE_EXCEEDED when
   * the client's timer fires first, but CANCELLED when the server's own timer for the same deadline reset the stream
   * first, which a loaded client makes likely; both mean the backend did not answer in time.
   */
  static boolean endedByOwnDeadline(Status status, @Nullable Deadline attemptDeadline) {
    if (attemptDeadline == null) {
      return false;
    }
    Status.Code code = status.getCode();
    return code == Status.Code.DEADLINE_EXCEEDED
        || (code == Status.Code.CANCELLED && attemptDeadline.isExpired());
  }

  /**
   * {@link Endpoint#onStart()} when the stream is created (not at pick time: a pick gRPC discards, for a transport
   * that just went away, never gets a stream, so it could never be completed), and exactly one
   * {@link Endpoint#onComplete} when it closes.
   */
  static final class Tracer extends ClientStreamTracer {
    private final BlastwallLoadBalancer.Backend backend;
    private final Endpoint endpoint;
    private final long startNanos = System.nanoTime();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final @Nullable Deadline attemptDeadline;

    Tracer(BlastwallLoadBalancer.Backend backend, Endpoint endpoint, @Nullable Deadline attemptDeadline) {
      this.backend = backend;
      this.endpoint = endpoint;
      this.attemptDeadline = attemptDeadline;
      endpoint.onStart();
    }

    @Override
    public void streamClosed(Status status) {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      boolean ownDeadline = endedByOwnDeadline(status, attemptDeadline);
      boolean ok = status.isOk()
          || !(BlastwallLoadBalancer.isBackendFailure(status, ownDeadline) || BlastwallLoadBalancer.isNeutral(status));
      endpoint.onComplete(System.nanoTime() - startNanos, ok);
      backend.record(status, ownDeadline);
    }
  }

  /** Calls wait for the next picker (connecting, or checking health). */
  static final class WaitingPicker extends SubchannelPicker {
    @Override
    public PickResult pickSubchannel(PickSubchannelArgs args) {
      return PickResult.withNoResult();
    }
  }

  /** Calls fail (unless wait-for-ready) with the reason no endpoint is available. */
  static final class ErrorPicker extends SubchannelPicker {
    private final Status error;

    ErrorPicker(Status error) {
      this.error = error;
    }

    @Override
    public PickResult pickSubchannel(PickSubchannelArgs args) {
      return PickResult.withError(error);
    }
  }
}
