package dev.blastwall.http;

import dev.blastwall.balance.Endpoint;
import dev.blastwall.balance.OutlierDetector;
import dev.blastwall.balance.Selector;
import dev.blastwall.failure.RemoteFailure;
import dev.blastwall.internal.Checks;
import dev.blastwall.time.Ticker;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Client-side balancing of HTTP requests across the endpoints of one upstream, on core's {@link Selector}s and
 * {@link OutlierDetector}: each attempt picks an endpoint, and its result feeds the endpoint's load and latency and
 * the detector's counts. What counts as a failure is core's one rule ({@code FailureKind.countsAgainstUpstream}).
 * An endpoint that refuses a connection is ejected at once (within the detector's cap), so the retry of a request
 * that never left goes to a sibling instead of the dead endpoint.
 *
 * <p>Thread-safe: picks and results come from any thread without locks; ejections, returns and the detector's
 * interval evaluation take a lock that no pick waits for.
 */
public final class EndpointBalancer {

  /** gRFC A50's defaults, which Envoy shares: 30 s first ejection, 300 s longest, 10% (at least one) at once. */
  public static final OutlierDetector.Settings DEFAULT_OUTLIER_DETECTION = new OutlierDetector.Settings(
      Duration.ofSeconds(30), Duration.ofSeconds(300), 10, 5, 1.9, 5, 100, 85, 5, 50);

  /** How often the detector's success-rate and failure-percentage evaluation runs. */
  public static final Duration EVALUATION_INTERVAL = Duration.ofSeconds(10);

  private final Selector selector;
  private final OutlierDetector detector;
  private final Ticker ticker;
  private final List<Member> members;
  private final ReentrantLock lock = new ReentrantLock();
  private final long intervalNanos;
  private volatile int ejected;
  private volatile long nextEvaluationNanos;

  private EndpointBalancer(List<URI> endpoints, Selector selector, OutlierDetector.Settings settings, Ticker ticker,
      Duration interval) {
    if (endpoints.isEmpty()) {
      throw Checks.invalidArgument("endpoints", endpoints, "at least one base URI such as http://10.0.0.7:8080");
    }
    this.selector = selector;
    this.detector = new OutlierDetector(settings, ticker);
    this.ticker = ticker;
    this.intervalNanos = Checks.saturatedNanos(Checks.checkPositive("interval", interval));
    List<Member> all = new ArrayList<>();
    for (URI base : endpoints) {
      if (base.getScheme() == null || base.getRawAuthority() == null) {
        throw Checks.invalidArgument("endpoint", base, "a base URI with a scheme and host, such as http://10.0.0.7:8080");
      }
      String id = base.getScheme() + "://" + base.getRawAuthority();
      Member member = new Member(id, new Endpoint(id, ticker), detector.add(id));
      all.add(member);
    }
    this.members = List.copyOf(all);
    this.nextEvaluationNanos = ticker.nanos() + intervalNanos;
    selector.update(members.stream().map(member -> member.endpoint).toList());
  }

  /** A balancer over {@code endpoints} (base URIs: scheme and authority) with {@code selector}. */
  public static EndpointBalancer of(List<URI> endpoints, Selector selector, OutlierDetector.Settings settings,
      Ticker ticker) {
    return new EndpointBalancer(endpoints, selector, settings, ticker, EVALUATION_INTERVAL);
  }

  /** Like {@link #of}, evaluating the detector every {@code interval}. */
  public static EndpointBalancer of(List<URI> endpoints, Selector selector, OutlierDetector.Settings settings,
      Ticker ticker, Duration interval) {
    return new EndpointBalancer(endpoints, selector, settings, ticker, interval);
  }

  /** The endpoints, in the order given. */
  public List<Member> members() {
    return members;
  }

  /** The endpoint for the next attempt; its {@link Member#start} and {@link Member#finish} must bracket it. */
  public Member pick() {
    maintain();
    Endpoint endpoint = selector.pick(null);
    if (endpoint != null) {
      for (Member member : members) {
        if (member.endpoint == endpoint) {
          return member;
        }
      }
    }
    return members.get(0);
  }

  /** Returns ejected endpoints whose time is up and runs the interval's evaluation, when the lock is free. */
  private void maintain() {
    long now = ticker.nanos();
    if ((ejected == 0 && now - nextEvaluationNanos < 0) || !lock.tryLock()) {
      return;
    }
    try {
      boolean changed = false;
      for (Member member : members) {
        if (member.host.ejected() && detector.restoreIfDue(member.host)) {
          changed = true;
        }
      }
      if (now - nextEvaluationNanos >= 0) {
        nextEvaluationNanos = now + intervalNanos;
        changed |= !detector.evaluate().isEmpty();
      }
      if (changed) {
        publish();
      }
    } finally {
      lock.unlock();
    }
  }

  private void eject(Member member, boolean now) {
    lock.lock();
    try {
      long nanos = now ? detector.eject(member.host) : detector.ejectForConsecutiveFailures(member.host);
      if (nanos >= 0) {
        publish();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Offers the selector every endpoint not ejected; all of them if every one is (a pick must still go somewhere). */
  private void publish() {
    List<Endpoint> ready = new ArrayList<>();
    int out = 0;
    for (Member member : members) {
      if (member.host.ejected()) {
        out++;
      } else {
        ready.add(member.endpoint);
      }
    }
    ejected = out;
    selector.update(ready.isEmpty() ? members.stream().map(member -> member.endpoint).toList() : ready);
  }

  @Override
  public String toString() {
    return "EndpointBalancer[" + selector.name() + ", " + members + "]";
  }

  /** One endpoint of the balancer. */
  public final class Member {

    private final String id;
    private final Endpoint endpoint;
    private final OutlierDetector.Host host;

    private Member(String id, Endpoint endpoint, OutlierDetector.Host host) {
      this.id = id;
      this.endpoint = endpoint;
      this.host = host;
    }

    /** {@code scheme://authority}. */
    public String id() {
      return id;
    }

    /** Whether the outlier detector has it out now. */
    public boolean ejected() {
      return host.ejected();
    }

    /** {@code request} with this endpoint's scheme and authority, its path and query kept. */
    public URI resolve(URI request) {
      String path = request.getRawPath() == null || request.getRawPath().isEmpty() ? "/" : request.getRawPath();
      String query = request.getRawQuery();
      return URI.create(id + path + (query == null ? "" : "?" + query));
    }

    /** Marks an attempt's start; returns the ticker reading to pass to {@link #finish}. */
    public long start() {
      endpoint.onStart();
      return ticker.nanos();
    }

    /**
     * Records an attempt's end: {@code failure} is {@code null} for an answer that does not count against the
     * upstream; {@code notConnected} ejects the endpoint at once.
     */
    public void finish(long startNanos, @Nullable RemoteFailure failure, boolean notConnected) {
      boolean failed = failure != null && failure.kind().countsAgainstUpstream();
      endpoint.onComplete(ticker.nanos() - startNanos, !failed);
      if (host.record(failed) || notConnected) {
        eject(this, notConnected);
      }
    }

    @Override
    public String toString() {
      return host.toString();
    }
  }
}
