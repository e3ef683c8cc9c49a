package dev.blastwall.grpc.balance;

import dev.blastwall.balance.Endpoint;
import dev.blastwall.balance.OutlierDetector;
import dev.blastwall.balance.Selector;
import dev.blastwall.balance.Selectors;
import dev.blastwall.failure.AttemptTimeoutException;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.grpc.GrpcStatusMapping;
import dev.blastwall.time.Environment;
import dev.blastwall.time.RandomSource;
import dev.blastwall.time.Ticker;
import io.grpc.ConnectivityState;
import io.grpc.ConnectivityStateInfo;
import io.grpc.EquivalentAddressGroup;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import io.grpc.SynchronizationContext.ScheduledHandle;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ScheduledExecutorService;
import org.jspecify.annotations.Nullable;

/**
 * One channel's balancer: a subchannel per address group, a core {@link Selector} over the READY, healthy and not
 * ejected ones, active health checks and passive outlier ejection. This file is the lifecycle (addresses,
 * subchannel states, publishing); {@link BalancerOutlierEjection} ejects, {@link BalancerHealthChecks} checks
 * health, and {@link BalancerPickers} picks and counts calls.
 *
 * <p>All state is confined to the channel's synchronization context (where gRPC calls every method of a
 * {@code LoadBalancer}; timers and call results are moved onto it), so nothing here locks. Pickers are immutable
 * and each owns its selector; the only state shared with calls is the per-endpoint atomics the stream tracers
 * update.
 */
final class BlastwallLoadBalancer extends io.grpc.LoadBalancer {

  private final Helper helper;
  private final SynchronizationContext syncContext;
  private final String selectorName;
  // Latencies, outlier intervals and random picks; timers are gRPC's (the helper's scheduled executor), which hand
  // their work to the synchronization context.
  private final Ticker ticker;
  private final RandomSource random;
  private final Map<String, Backend> backends = new LinkedHashMap<>();

  private final BalancerOutlierEjection ejection;
  private final BalancerHealthChecks health = new BalancerHealthChecks(this);

  private BalancerConfig config = BalancerConfig.DEFAULTS;
  private @Nullable ConnectivityState published;
  private @Nullable Status lastError;
  private boolean shutdown;

  BlastwallLoadBalancer(Helper helper, String selectorName, Environment environment) {
    this.helper = helper;
    this.syncContext = helper.getSynchronizationContext();
    this.selectorName = selectorName;
    this.ticker = environment.ticker();
    this.random = environment.random();
    this.ejection = new BalancerOutlierEjection(this, ticker);
    Selectors.byName(selectorName, ticker, random); // fail fast on a bad name
  }

  /** One address group: its subchannel, its core endpoint and its outlier counts. */
  final class Backend {
    final String id;
    final Subchannel subchannel;
    // Counted by stream tracers on any thread; ejected and evaluated on the synchronization context.
    final OutlierDetector.Host outlier;
    Endpoint endpoint;
    ConnectivityState state = ConnectivityState.IDLE;
    boolean healthy = true;
    boolean healthCheckInFlight;
    @Nullable ScheduledHandle returnTimer;

    Backend(String id, Subchannel subchannel, Endpoint endpoint) {
      this.id = id;
      this.subchannel = subchannel;
      this.endpoint = endpoint;
      this.outlier = ejection.add(id);
    }

    boolean pickable() {
      return state == ConnectivityState.READY && healthy;
    }

    /** Called by a stream tracer, on any thread, when a call routed here closes. */
    void record(Status status, boolean attemptDeadline) {
      if (isBackendFailure(status, attemptDeadline)) {
        if (outlier.record(/* failure= */ true)) {
          syncContext.execute(() -> ejection.ejectForConsecutiveFailures(this));
        }
      } else if (status.isOk() || !isNeutral(status)) {
        outlier.record(/* failure= */ false);
      }
    }
  }

  /**
   * Outcomes that count against the backend: those whose kind {@linkplain FailureKind#countsAgainstUpstream counts
   * against the upstream}, the rule the circuit breaker and the pipeline follow too (connection and server faults
   * and overload, not application answers). An attempt that Blastwall cancelled at its attempt timeout is a
   * TIMEOUT, because the backend did not answer in time (hung, overloaded, or behind a partition that drops packets
   * without resetting the connection), which says as much about it as an error would; so is a DEADLINE_EXCEEDED on
   * a call whose deadline was its attempt's own time limit ({@link BlastwallBalancing#ATTEMPT_DEADLINE}). A backend
   * that never answers would otherwise never be ejected.
   */
  static boolean isBackendFailure(Status status, boolean attemptDeadline) {
    return kindOf(status, attemptDeadline).countsAgainstUpstream();
  }

  /** Outcomes that are the caller's doing (its deadline or cancellation), counted neither way. */
  static boolean isNeutral(Status status) {
    FailureKind kind = kindOf(status, false);
    return kind == FailureKind.CANCELLED || kind == FailureKind.DEADLINE_EXCEEDED;
  }

  /**
   * The kind of an attempt's outcome: gRPC's table, plus what says the attempt's own time limit ended it
   * ({@code attemptDeadline}: see {@link BalancerPickers#endedByOwnDeadline}).
   */
  private static FailureKind kindOf(Status status, boolean attemptDeadline) {
    Status.Code code = status.getCode();
    if ((code == Status.Code.CANCELLED && status.getCause() instanceof AttemptTimeoutException)
        || ((code == Status.Code.DEADLINE_EXCEEDED || code == Status.Code.CANCELLED) && attemptDeadline)) {
      return FailureKind.TIMEOUT;
    }
    return GrpcStatusMapping.kindOf(code);
  }

  @Override
  public Status acceptResolvedAddresses(ResolvedAddresses resolved) {
    if (shutdown) {
      return Status.OK;
    }
    List<EquivalentAddressGroup> groups = resolved.getAddresses();
    if (groups.isEmpty()) {
      Status error = Status.UNAVAILABLE.withDescription("name resolver returned no addresses");
      handleNameResolutionError(error);
      return error;
    }
    Object parsed = resolved.getLoadBalancingPolicyConfig();
    BalancerConfig newConfig = parsed instanceof BalancerConfig c ? c : BalancerConfig.DEFAULTS;
    boolean configChanged = !newConfig.equals(config);
    config = newConfig;
    ejection.configure(newConfig);

    Set<String> seen = new HashSet<>();
    for (EquivalentAddressGroup group : groups) {
      String id = idOf(group);
      if (!seen.add(id)) {
        continue;
      }
      Integer attribute = group.getAttributes().get(BlastwallBalancing.WEIGHT);
      int weight = attribute == null ? Endpoint.DEFAULT_WEIGHT : Math.clamp(attribute, 1, Endpoint.MAX_WEIGHT);
      Backend existing = backends.get(id);
      if (existing == null) {
        Subchannel subchannel = helper.createSubchannel(CreateSubchannelArgs.newBuilder().setAddresses(group).build());
        Backend backend = new Backend(id, subchannel, new Endpoint(id, weight, ticker));
        backends.put(id, backend);
        subchannel.start(info -> onSubchannelState(backend, info));
        subchannel.requestConnection();
      } else if (existing.endpoint.weight() != weight) {
        existing.endpoint = new Endpoint(id, weight, ticker);
      }
    }
    for (var it = backends.values().iterator(); it.hasNext(); ) {
      Backend backend = it.next();
      if (!seen.contains(backend.id)) {
        it.remove();
        release(backend);
      }
    }
    if (configChanged || !ejection.scheduled()) {
      ejection.schedule();
    }
    if (configChanged || (config.healthChecking() && !health.scheduled())) {
      health.schedule();
      for (Backend backend : backends.values()) {
        backend.healthy = !config.healthChecking() || backend.healthy;
        if (config.healthChecking() && backend.state == ConnectivityState.READY) {
          health.check(backend);
        }
      }
    }
    publish();
    return Status.OK;
  }

  private static String idOf(EquivalentAddressGroup group) {
    StringJoiner joiner = new StringJoiner(",");
    for (SocketAddress address : group.getAddresses()) {
      joiner.add(address instanceof InetSocketAddress inet
          ? inet.getHostString() + ":" + inet.getPort() : address.toString());
    }
    return joiner.toString();
  }

  private void release(Backend backend) {
    ejection.remove(backend);
    backend.subchannel.shutdown();
  }

  @Override
  public void handleNameResolutionError(Status error) {
    lastError = error;
    if (published != ConnectivityState.READY) {
      helper.updateBalancingState(ConnectivityState.TRANSIENT_FAILURE, new BalancerPickers.ErrorPicker(error));
      published = ConnectivityState.TRANSIENT_FAILURE;
    }
  }

  @Override
  public void requestConnection() {
    for (Backend backend : backends.values()) {
      if (backend.state == ConnectivityState.IDLE) {
        backend.subchannel.requestConnection();
      }
    }
  }

  @Override
  public void shutdown() {
    shutdown = true;
    ejection.cancel();
    health.cancel();
    for (Backend backend : backends.values()) {
      release(backend);
    }
    backends.clear();
  }

  private void onSubchannelState(Backend backend, ConnectivityStateInfo info) {
    if (shutdown || backends.get(backend.id) != backend) {
      return;
    }
    ConnectivityState state = info.getState();
    if (state == ConnectivityState.SHUTDOWN) {
      return;
    }
    ConnectivityState before = backend.state;
    backend.state = state;
    if (state == ConnectivityState.TRANSIENT_FAILURE) {
      lastError = info.getStatus();
      helper.refreshNameResolution();
    } else if (state == ConnectivityState.IDLE) {
      // The connection went away: reconnect, as gRPC's round_robin does, and resolve again in case it moved.
      backend.subchannel.requestConnection();
      helper.refreshNameResolution();
    } else if (state == ConnectivityState.READY && before != ConnectivityState.READY && config.healthChecking()) {
      backend.healthy = false; // not picked until the first health check answers SERVING
      health.check(backend);
    }
    publish();
  }

  // ---- what the ejection and the health checks share with the lifecycle (all on the synchronization context) ----

  SynchronizationContext syncContext() {
    return syncContext;
  }

  ScheduledExecutorService scheduler() {
    return helper.getScheduledExecutorService();
  }

  BalancerConfig config() {
    return config;
  }

  boolean isShutdown() {
    return shutdown;
  }

  Collection<Backend> backends() {
    return backends.values();
  }

  @Nullable Backend backend(String id) {
    return backends.get(id);
  }

  /** Whether {@code backend} is still one of this balancer's, which is not shut down. */
  boolean isCurrent(Backend backend) {
    return !shutdown && backends.get(backend.id) == backend;
  }

  /** Whether the last state published was READY. */
  boolean publishedReady() {
    return published == ConnectivityState.READY;
  }

  /** Publishes a new picker (or a waiting / failing one) from the current state of the backends. */
  void publish() {
    if (shutdown) {
      return;
    }
    List<Backend> ready = new ArrayList<>();
    List<Backend> pickable = new ArrayList<>();
    boolean connecting = false;
    for (Backend backend : backends.values()) {
      if (backend.pickable()) {
        ready.add(backend);
        if (!backend.outlier.ejected()) {
          pickable.add(backend);
        }
      } else if (backend.state == ConnectivityState.CONNECTING || backend.state == ConnectivityState.IDLE
          || (backend.state == ConnectivityState.READY && backend.healthCheckInFlight)) {
        connecting = true;
      }
    }
    if (pickable.isEmpty()) {
      pickable = ready; // panic: every ready backend is ejected, so ejection is ignored rather than failing all
    }
    if (!pickable.isEmpty()) {
      Selector selector = Selectors.byName(selectorName, ticker, random);
      Map<Endpoint, Backend> byEndpoint = new HashMap<>(); // Endpoint equality is identity
      List<Endpoint> endpoints = new ArrayList<>(pickable.size());
      for (Backend backend : pickable) {
        byEndpoint.put(backend.endpoint, backend);
        endpoints.add(backend.endpoint);
      }
      selector.update(endpoints);
      helper.updateBalancingState(ConnectivityState.READY,
          new BalancerPickers.Picker(selector, Map.copyOf(byEndpoint), selectorName.equals(Selectors.RING_HASH)));
      published = ConnectivityState.READY;
    } else if (connecting) {
      helper.updateBalancingState(ConnectivityState.CONNECTING, new BalancerPickers.WaitingPicker());
      published = ConnectivityState.CONNECTING;
    } else {
      Status cause = lastError;
      Status error = Status.UNAVAILABLE.withDescription("no ready and healthy endpoint"
          + (cause == null ? "" : "; last error: " + cause.getCode() + " " + cause.getDescription()));
      helper.updateBalancingState(ConnectivityState.TRANSIENT_FAILURE, new BalancerPickers.ErrorPicker(error));
      published = ConnectivityState.TRANSIENT_FAILURE;
    }
  }
}
