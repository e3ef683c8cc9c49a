package dev.blastwall.lab.topology;

import dev.blastwall.lab.internal.Args;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One service of a topology: a real gRPC server (per replica) with {@code workers} workers and a queue of
 * {@code queue} requests in front of them (unbounded in {@code naive} mode), spending {@code serviceTime} on each
 * request, failing a share {@code errorRate} of them with {@code errorStatus}, then making its {@code steps}.
 *
 * @param name lower-case letters, digits and dashes
 * @param replicas how many identical servers the name resolves to
 * @param workers how many requests one replica works on at once
 * @param queue how many requests may wait for a worker when the mode bounds queues
 * @param serviceTime the time spent on a request before its calls
 * @param errorRate share of requests answered with {@code errorStatus} after the service time, in [0, 1]
 * @param errorStatus a gRPC status code name, e.g. UNAVAILABLE
 * @param steps the calls made for each request, in order
 * @param contention how a replica's service time grows with its load, at least 0 (0: it does not): each request's
 *     service time is multiplied by {@code 1 + contention * others / workers}, where {@code others} is how many other
 *     requests were inside the replica (queued or being worked on) when a worker took it
 * @param protocol the wire its replicas serve and its callers use: gRPC by default
 */
public record ServiceSpec(
    String name,
    int replicas,
    int workers,
    int queue,
    ServiceTime serviceTime,
    double errorRate,
    String errorStatus,
    List<Step> steps,
    double contention,
    Protocol protocol) {

  /** Checks every field. */
  public ServiceSpec {
    Args.labName("name", name);
    Args.atLeast("replicas", replicas, 1);
    Args.atLeast("workers", workers, 1);
    Args.atLeast("queue", queue, 0);
    Args.inRange("errorRate", errorRate, 0, 1);
    StatusNames.check("errorStatus", errorStatus);
    steps = List.copyOf(steps);
    Args.inRange("contention", contention, 0, 1_000);
  }

  /** A gRPC service. */
  public ServiceSpec(String name, int replicas, int workers, int queue, ServiceTime serviceTime, double errorRate,
      String errorStatus, List<Step> steps, double contention) {
    this(name, replicas, workers, queue, serviceTime, errorRate, errorStatus, steps, contention, Protocol.GRPC);
  }

  /** The same service speaking {@code newProtocol}. */
  public ServiceSpec withProtocol(Protocol newProtocol) {
    return new ServiceSpec(name, replicas, workers, queue, serviceTime, errorRate, errorStatus, steps, contention,
        newProtocol);
  }

  /** A service without contention. */
  public ServiceSpec(String name, int replicas, int workers, int queue, ServiceTime serviceTime, double errorRate,
      String errorStatus, List<Step> steps) {
    this(name, replicas, workers, queue, serviceTime, errorRate, errorStatus, steps, 0);
  }

  /** The service time factor for a request that found {@code others} other requests inside its replica. */
  public double contentionFactor(int others) {
    return 1 + contention * Math.max(0, others) / workers;
  }

  /** A builder for service {@code name}: 1 replica, 16 workers, queue 64, fixed 10 ms, no errors, no calls. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The names of the services this one calls, in step order, each once. */
  public List<String> dependencyNames() {
    List<String> names = new ArrayList<>();
    for (Step step : steps) {
      for (Dependency call : step.calls()) {
        if (!names.contains(call.service())) {
          names.add(call.service());
        }
      }
    }
    return names;
  }

  /** A builder of {@link ServiceSpec}; not thread-safe. */
  public static final class Builder {
    private final String name;
    private int replicas = 1;
    private int workers = 16;
    private int queue = 64;
    private ServiceTime serviceTime = ServiceTime.fixed(Duration.ofMillis(10));
    private double errorRate;
    private String errorStatus = "UNAVAILABLE";
    private double contention;
    private Protocol protocol = Protocol.GRPC;
    private final List<Step> steps = new ArrayList<>();

    private Builder(String name) {
      this.name = name;
    }

    /** Identical replicas behind the name. */
    public Builder replicas(int count) {
      replicas = count;
      return this;
    }

    /** Workers per replica and the bounded queue's length. */
    public Builder capacity(int workerCount, int queueLength) {
      workers = workerCount;
      queue = queueLength;
      return this;
    }

    /** The service time distribution. */
    public Builder serviceTime(ServiceTime time) {
      serviceTime = time;
      return this;
    }

    /** A share of requests failed with a status, always (not a scheduled fault). */
    public Builder errors(double rate, String status) {
      errorRate = rate;
      errorStatus = status;
      return this;
    }

    /** Service time growing with the replica's load (see {@link ServiceSpec#contention}); 0 turns it off. */
    public Builder contention(double factor) {
      contention = factor;
      return this;
    }

    /** The wire the service speaks; gRPC by default. */
    public Builder protocol(Protocol wire) {
      protocol = wire;
      return this;
    }

    /** Adds a serial call. */
    public Builder call(Dependency dependency) {
      steps.add(Step.serial(dependency));
      return this;
    }

    /** Adds a parallel group of calls. */
    public Builder parallel(List<Dependency> dependencies) {
      steps.add(Step.parallel(dependencies));
      return this;
    }

    /** The service. */
    public ServiceSpec build() {
      return new ServiceSpec(name, replicas, workers, queue, serviceTime, errorRate, errorStatus, steps, contention,
          protocol);
    }
  }
}
