package dev.blastwall.lab.run;

import dev.blastwall.deadline.DeadlineSlack;
import dev.blastwall.lab.plan.Mode;
import dev.blastwall.lab.plan.NaiveSetup;
import dev.blastwall.pipeline.Pipeline;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import org.jspecify.annotations.Nullable;

/**
 * The lab over HTTP/1.1: the JDK's {@code com.sun.net.httpserver} with blastwall-http's filter, and
 * {@code java.net.http.HttpClient}, bare or through {@code BlastwallHttpClient} (see {@link LabHttp}).
 */
final class HttpProtocol implements LabProtocol {

  static final HttpProtocol INSTANCE = new HttpProtocol();

  private HttpProtocol() {}

  @Override
  public ReplicaServer serve(Replica replica, ServiceRuntime service, String name, Executor executor) {
    return new HttpReplicaServer(replica, service, name);
  }

  @Override
  public Upstream naive(ServiceRuntime caller, List<InetSocketAddress> addresses,
      @Nullable ExecutorService outboundPool, Executor executor) {
    NaiveSetup setup = caller.plan.naive();
    return new HttpNaiveUpstream(addresses, setup.timeout(), setup.retries(), setup.retryOn(), caller.clients,
        outboundPool, executor);
  }

  @Override
  public Upstream blastwall(ServiceRuntime caller, String callee, List<InetSocketAddress> addresses,
      Queue<BreakerChange> breakerChanges, Executor executor) {
    EdgeEvents events = new EdgeEvents(caller.name, callee, caller.clients, caller.clock, breakerChanges);
    Pipeline pipeline = BlastwallUpstream.pipeline(caller.name, callee, caller.plan.blastwall(), caller.clients,
        events, caller.clock);
    return new HttpBlastwallUpstream(pipeline, addresses, caller.plan.blastwall().ejectionTime(), caller.clock,
        DeadlineSlack.DEFAULT, executor);
  }

  @Override
  public Upstream users(List<InetSocketAddress> entry, Mode mode, Duration naiveTimeout, Duration ejectionTime,
      RunClock clock, Executor executor) {
    if (mode == Mode.NAIVE) {
      return new HttpNaiveUpstream(entry, naiveTimeout, 0, Set.of(), new ClientCounters(), null, executor);
    }
    // No retries (the pipeline's default) and no slack: the entry service gets the user's whole deadline.
    return new HttpBlastwallUpstream(Pipeline.builder("user").environment(clock.environment).build(), entry, ejectionTime,
        clock, DeadlineSlack.NONE, executor);
  }
}
