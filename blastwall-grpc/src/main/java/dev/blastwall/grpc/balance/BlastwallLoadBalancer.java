package dev.blastwall.grpc.balance;

import dev.blastwall.balance.Endpoint;
import dev.blastwall.balance.Selector;
import dev.blastwall.balance.Selectors;
import dev.blastwall.failure.AttemptTimeoutException;
import dev.blastwall.failure.FailureKind;
import dev.blastwall.grpc.GrpcStatusMapping;
import dev.blastwall.time.RandomSource;
import dev.blastwall.time.Ticker;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ClientStreamTracer;
import io.grpc.ConnectivityState;
import io.grpc.ConnectivityStateInfo;
import io.grpc.EquivalentAddressGroup;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import io.grpc.SynchronizationContext.ScheduledHandle;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One channel's balancer: a subchannel per address group, a core {@link Selector} over the READY, healthy and not
 * ejected ones, active health checks and passive outlier ejection.
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
  private final Ticker ticker = Ticker.system();
  private final RandomSource random = RandomSource.threadLocal();
  private final Map<String, Backend> backends = new LinkedHashMap<>();

  // Volatile: stream tracers read the consecutive-failure threshold on call threads.
  private volatile BalancerConfig config = BalancerConfig.DEFAULTS;
  private @Nullable ScheduledHandle outlierTimer;
  private @Nullable ScheduledHandle healthTimer;
  private @Nullable ConnectivityState published;
  private @Nullable Status lastError;
  private boolean shutdown;

  BlastwallLoadBalancer(Helper helper, String selectorName) {
    this.helper = helper;
    this.syncContext = helper.getSynchronizationContext();
    this.selectorName = selectorName;
    Selectors.byName(selectorName, ticker, random); // fail fast on a bad name
  }

  /** One address group: its subchannel, its core endpoint and the outlier bookkeeping. */
  final class Backend {
    final String id;
    final Subchannel subchannel;
    Endpoint endpoint;
    ConnectivityState state = ConnectivityState.IDLE;
    boolean healthy = true;
    boolean healthCheckInFlight;
    boolean ejected;
    int ejections;
    @Nullable ScheduledHandle returnTimer;
    // Written by stream tracers on any thread; read and reset by the outlier timer.
    final AtomicLong successes = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    final AtomicInteger consecutiveFailures = new AtomicInteger();

    Backend(String id, Subchannel subchannel, Endpoint endpoint) {
      this.id = id;
      this.subchannel = subchannel;
      this.endpoint = endpoint;
    }

    boolean pickable() {
      return state == ConnectivityState.READY && healthy;
    }

    /** Called by a stream tracer, on any thread, when a call routed here closes. */
    void record(Status status, boolean attemptDeadline) {
      if (isBackendFailure(status, attemptDeadline)) {
        failures.incrementAndGet();
        int consecutive = consecutiveFailures.incrementAndGet();
        int threshold = config.consecutiveFailures();
        if (threshold > 0 && consecutive >= threshold) {
          syncContext.execute(() -> ejectForConsecutiveFailures(this));
        }
      } else if (status.isOk() || !isNeutral(status)) {
        successes.incrementAndGet();
        consecutiveFailures.set(0);
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

  /** The kind of an attempt's outcome: gRPC's table, plus what says the attempt's own time limit ended it. */
  private static FailureKind kindOf(Status status, boolean attemptDeadline) {
    Status.Code code = status.getCode();
    if ((code == Status.Code.CANCELLED && status.getCause() instanceof AttemptTimeoutException)
        || (code == Status.Code.DEADLINE_EXCEEDED && attemptDeadline)) {
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
    if (configChanged || outlierTimer == null) {
      scheduleOutlierTimer();
    }
    if (configChanged || (config.healthChecking() && healthTimer == null)) {
      scheduleHealthTimer();
      for (Backend backend : backends.values()) {
        backend.healthy = !config.healthChecking() || backend.healthy;
        if (config.healthChecking() && backend.state == ConnectivityState.READY) {
          checkHealth(backend);
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

  private static void release(Backend backend) {
    ScheduledHandle timer = backend.returnTimer;
    if (timer != null) {
      timer.cancel();
    }
    backend.subchannel.shutdown();
  }

  @Override
  public void handleNameResolutionError(Status error) {
    lastError = error;
    if (published != ConnectivityState.READY) {
      helper.updateBalancingState(ConnectivityState.TRANSIENT_FAILURE, new ErrorPicker(error));
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
    cancel(outlierTimer);
    cancel(healthTimer);
    outlierTimer = null;
    healthTimer = null;
    for (Backend backend : backends.values()) {
      release(backend);
    }
    backends.clear();
  }

  private static void cancel(@Nullable ScheduledHandle handle) {
    if (handle != null) {
      handle.cancel();
    }
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
      checkHealth(backend);
    }
    publish();
  }

  /** Publishes a new picker (or a waiting / failing one) from the current state of the backends. */
  private void publish() {
    if (shutdown) {
      return;
    }
    List<Backend> ready = new ArrayList<>();
    List<Backend> pickable = new ArrayList<>();
    boolean connecting = false;
    for (Backend backend : backends.values()) {
      if (backend.pickable()) {
        ready.add(backend);
        if (!backend.ejected) {
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
          new Picker(selector, Map.copyOf(byEndpoint), selectorName.equals(Selectors.RING_HASH)));
      published = ConnectivityState.READY;
    } else if (connecting) {
      helper.updateBalancingState(ConnectivityState.CONNECTING, new WaitingPicker());
      published = ConnectivityState.CONNECTING;
    } else {
      Status cause = lastError;
      Status error = Status.UNAVAILABLE.withDescription("no ready and healthy endpoint"
          + (cause == null ? "" : "; last error: " + cause.getCode() + " " + cause.getDescription()));
      helper.updateBalancingState(ConnectivityState.TRANSIENT_FAILURE, new ErrorPicker(error));
      published = ConnectivityState.TRANSIENT_FAILURE;
    }
  }

  // ---- outlier ejection ----

  private void scheduleOutlierTimer() {
    cancel(outlierTimer);
    outlierTimer = syncContext.schedule(this::evaluateOutliers, config.interval().toNanos(), TimeUnit.NANOSECONDS,
        helper.getScheduledExecutorService());
  }

  private void ejectForConsecutiveFailures(Backend backend) {
    if (backends.get(backend.id) == backend && !backend.ejected
        && backend.consecutiveFailures.get() >= config.consecutiveFailures()) {
      eject(backend);
    }
  }

  /** At most {@code maxEjectionPercent} of the backends, but always one: with few hosts 10% would be none. */
  private boolean mayEject() {
    int ejected = 0;
    for (Backend backend : backends.values()) {
      if (backend.ejected) {
        ejected++;
      }
    }
    int allowed = Math.max(1, backends.size() * config.maxEjectionPercent() / 100);
    return config.maxEjectionPercent() > 0 && ejected < allowed;
  }

  private void eject(Backend backend) {
    if (!mayEject()) {
      return;
    }
    backend.ejected = true;
    backend.ejections++;
    backend.consecutiveFailures.set(0);
    long base = config.baseEjectionTime().toNanos();
    long max = config.maxEjectionTime().toNanos();
    long nanos = base > max / backend.ejections ? max : base * backend.ejections;
    backend.returnTimer = syncContext.schedule(() -> {
      backend.returnTimer = null;
      if (backends.get(backend.id) == backend) {
        backend.ejected = false;
        publish();
      }
    }, nanos, TimeUnit.NANOSECONDS, helper.getScheduledExecutorService());
    publish();
  }

  private void evaluateOutliers() {
    outlierTimer = null;
    if (shutdown) {
      return;
    }
    List<Backend> all = new ArrayList<>(backends.values());
    long[] ok = new long[all.size()];
    long[] failed = new long[all.size()];
    for (int i = 0; i < all.size(); i++) {
      Backend backend = all.get(i);
      ok[i] = backend.successes.getAndSet(0);
      failed[i] = backend.failures.getAndSet(0);
      if (!backend.ejected && backend.ejections > 0) {
        backend.ejections--; // a clean interval shortens the next ejection, as in gRPC's outlier detection
      }
    }
    // Success rate: eject below mean - stdevFactor * stdev, among backends with enough requests.
    List<Integer> candidates = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      if (ok[i] + failed[i] >= config.successRateRequestVolume()) {
        candidates.add(i);
      }
    }
    if (candidates.size() >= config.successRateMinimumHosts()) {
      double sum = 0;
      for (int i : candidates) {
        sum += rate(ok[i], failed[i]);
      }
      double mean = sum / candidates.size();
      double squares = 0;
      for (int i : candidates) {
        double d = rate(ok[i], failed[i]) - mean;
        squares += d * d;
      }
      double threshold = mean - config.successRateStdevFactor() * Math.sqrt(squares / candidates.size());
      for (int i : candidates) {
        Backend backend = all.get(i);
        if (rate(ok[i], failed[i]) < threshold && !backend.ejected) {
          eject(backend);
        }
      }
    }
    // Failure percentage: eject above the threshold, among backends with enough requests.
    candidates.clear();
    for (int i = 0; i < all.size(); i++) {
      if (ok[i] + failed[i] >= config.failurePercentageRequestVolume()) {
        candidates.add(i);
      }
    }
    if (candidates.size() >= config.failurePercentageMinimumHosts()) {
      for (int i : candidates) {
        Backend backend = all.get(i);
        if (100.0 * failed[i] / (ok[i] + failed[i]) > config.failurePercentageThreshold() && !backend.ejected) {
          eject(backend);
        }
      }
    }
    scheduleOutlierTimer();
  }

  private static double rate(long ok, long failed) {
    return (double) ok / (ok + failed);
  }

  // ---- active health checks (grpc.health.v1.Health/Check on the subchannel) ----

  private void scheduleHealthTimer() {
    cancel(healthTimer);
    healthTimer = null;
    if (!config.healthChecking() || shutdown) {
      return;
    }
    healthTimer = syncContext.schedule(() -> {
      healthTimer = null;
      for (Backend backend : backends.values()) {
        if (backend.state == ConnectivityState.READY) {
          checkHealth(backend);
        }
      }
      scheduleHealthTimer();
    }, config.healthCheckInterval().toNanos(), TimeUnit.NANOSECONDS, helper.getScheduledExecutorService());
  }

  private void checkHealth(Backend backend) {
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
        syncContext.execute(() -> onHealth(backend, healthy));
      }
    }, new Metadata());
    call.sendMessage(HealthCheckRequest.newBuilder().setService(service).build());
    call.halfClose();
    call.request(2);
  }

  private void onHealth(Backend backend, boolean healthy) {
    backend.healthCheckInFlight = false;
    if (shutdown || backends.get(backend.id) != backend) {
      return;
    }
    boolean changed = backend.healthy != healthy;
    backend.healthy = healthy;
    if (changed || published != ConnectivityState.READY) {
      publish();
    }
  }

  // ---- pickers ----

  /** Immutable; each picker owns a selector over its own snapshot, so a pick never sees a foreign endpoint. */
  static final class Picker extends SubchannelPicker {
    private final Selector selector;
    private final Map<Endpoint, Backend> backends;
    private final boolean needsKey;

    Picker(Selector selector, Map<Endpoint, Backend> backends, boolean needsKey) {
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
      Backend backend = endpoint == null ? null : backends.get(endpoint);
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
    private final Backend backend;
    private final Endpoint endpoint;

    TracerFactory(Backend backend, Endpoint endpoint) {
      this.backend = backend;
      this.endpoint = endpoint;
    }

    @Override
    public ClientStreamTracer newClientStreamTracer(ClientStreamTracer.StreamInfo info, Metadata headers) {
      return new Tracer(backend, endpoint,
          Boolean.TRUE.equals(info.getCallOptions().getOption(BlastwallBalancing.ATTEMPT_DEADLINE)));
    }
  }

  /**
   * {@link Endpoint#onStart()} when the stream is created (not at pick time: a pick gRPC discards, for a transport
   * that just went away, never gets a stream, so it could never be completed), and exactly one
   * {@link Endpoint#onComplete} when it closes.
   */
  static final class Tracer extends ClientStreamTracer {
    private final Backend backend;
    private final Endpoint endpoint;
    private final long startNanos = System.nanoTime();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final boolean attemptDeadline;

    Tracer(Backend backend, Endpoint endpoint, boolean attemptDeadline) {
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
      boolean ok = status.isOk() || !(isBackendFailure(status, attemptDeadline) || isNeutral(status));
      endpoint.onComplete(System.nanoTime() - startNanos, ok);
      backend.record(status, attemptDeadline);
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
