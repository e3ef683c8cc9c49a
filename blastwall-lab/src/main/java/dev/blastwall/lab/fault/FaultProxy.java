package dev.blastwall.lab.fault;

import dev.blastwall.internal.Checks;
import dev.blastwall.time.Cancellable;
import dev.blastwall.time.RandomSource;
import dev.blastwall.time.Scheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A TCP proxy that injects faults: it listens on {@code 127.0.0.1} (an ephemeral port) and forwards every
 * connection to an upstream {@code host:port}, through the {@linkplain Toxic toxics} currently installed.
 *
 * <p>Each connection runs on two virtual threads, one per {@link Direction}. Toxics can be added and removed at
 * run time ({@link #addToxic}, {@link #removeToxic}), or put on a timeline ({@link #schedule}); a toxic's
 * {@linkplain Toxic#toxicity() toxicity} is drawn once per connection. {@link #down()} takes the proxy off the
 * network (no listener, every connection closed) and {@link #up()} brings it back on the same port.
 *
 * <p>Thread-safe. Delays are real: the proxy waits through its {@link Scheduler} ({@link Scheduler#system()} unless
 * the builder is given another).
 */
public final class FaultProxy implements AutoCloseable {
  private final InetSocketAddress upstream;
  private final Scheduler scheduler;
  private final RandomSource random;
  private final int connectTimeoutMillis;
  private final int port;

  private final ReentrantLock lock = new ReentrantLock();
  // Guarded by lock.
  private @Nullable ServerSocket listener;
  private boolean closed;

  private final ConcurrentHashMap<String, ToxicHandle> toxics = new ConcurrentHashMap<>();
  private final Set<ProxiedConnection> connections = ConcurrentHashMap.newKeySet();
  private final Set<Cancellable> timelines = ConcurrentHashMap.newKeySet();
  private final AtomicLong connectionIds = new AtomicLong();
  private final AtomicLong scheduledNames = new AtomicLong();

  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong bytesUpstream = new AtomicLong();
  private final AtomicLong bytesDownstream = new AtomicLong();
  private final AtomicLong resets = new AtomicLong();

  private FaultProxy(Builder builder) {
    this.upstream = builder.upstream;
    this.scheduler = builder.scheduler;
    this.random = builder.random;
    this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, builder.connectTimeout.toMillis()));
    ServerSocket socket = bind(0);
    this.port = socket.getLocalPort();
    this.listener = socket;
    startAccepting(socket);
  }

  /** A builder for a proxy in front of {@code host:port}. */
  public static Builder builder(String host, int port) {
    return new Builder(InetSocketAddress.createUnresolved(Objects.requireNonNull(host, "host"), port));
  }

  /** Starts a proxy in front of {@code host:port}, with the system scheduler and thread-local randomness. */
  public static FaultProxy start(String host, int port) {
    return builder(host, port).start();
  }

  /** The port the proxy listens on, on {@code 127.0.0.1}; it stays the same across {@link #down()}/{@link #up()}. */
  public int port() {
    return port;
  }

  /** The address clients connect to: {@code 127.0.0.1:}{@link #port()}. */
  public InetSocketAddress address() {
    return new InetSocketAddress(loopback(), port);
  }

  /** The upstream address connections are forwarded to. */
  public InetSocketAddress upstream() {
    return upstream;
  }

  /**
   * Installs {@code toxic} under {@code name}. It acts on data that passes from now on, on open connections and
   * new ones alike.
   *
   * @throws IllegalArgumentException if a toxic is already installed under that name
   */
  public ToxicHandle addToxic(String name, Toxic toxic) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(toxic, "toxic");
    ToxicHandle handle = new ToxicHandle(this, name, toxic);
    if (toxics.putIfAbsent(name, handle) != null) {
      throw new IllegalArgumentException("a toxic is already installed under the name " + name);
    }
    for (ProxiedConnection connection : connections) {
      connection.offer(handle);
    }
    return handle;
  }

  /**
   * Removes the toxic installed under {@code name}; data that passes from now on is no longer affected by it.
   *
   * @return whether a toxic was removed
   */
  public boolean removeToxic(String name) {
    ToxicHandle handle = toxics.get(Objects.requireNonNull(name, "name"));
    return handle != null && handle.remove();
  }

  /** The toxics installed now, by name. */
  public Map<String, Toxic> toxics() {
    Map<String, Toxic> snapshot = new LinkedHashMap<>();
    toxics.forEach((name, handle) -> snapshot.put(name, handle.toxic()));
    return Map.copyOf(snapshot);
  }

  /**
   * Puts {@code toxic} on a timeline: installed {@code start} from now, under a generated name, and removed
   * {@code duration} later, both timed by {@code timeline}.
   *
   * @return cancels the schedule, removing the toxic if it is installed
   */
  public Cancellable schedule(Toxic toxic, Duration start, Duration duration, Scheduler timeline) {
    return schedule("scheduled-" + scheduledNames.incrementAndGet(), toxic, start, duration, timeline);
  }

  /** Same as {@link #schedule(Toxic, Duration, Duration, Scheduler)}, installing the toxic under {@code name}. */
  public Cancellable schedule(String name, Toxic toxic, Duration start, Duration duration, Scheduler timeline) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(toxic, "toxic");
    Objects.requireNonNull(timeline, "timeline");
    Checks.checkNotNegative("start", start);
    Checks.checkPositive("duration", duration);
    ToxicTimeline entry = new ToxicTimeline(this, name, toxic);
    timelines.add(entry);
    entry.arm(timeline, start.toNanos(), start.plus(duration).toNanos());
    return entry;
  }

  /**
   * Takes the proxy off the network: stops listening (new connections are refused) and closes every open
   * connection. Installed toxics stay. Does nothing if the proxy is already down.
   */
  public void down() {
    ServerSocket socket;
    lock.lock();
    try {
      socket = listener;
      listener = null;
    } finally {
      lock.unlock();
    }
    if (socket != null) {
      closeQuietly(socket);
    }
    closeConnections();
  }

  /**
   * Brings the proxy back after {@link #down()}, listening on the same port. Does nothing if it is up.
   *
   * @throws IllegalStateException if the proxy is closed
   * @throws UncheckedIOException if the port cannot be bound again
   */
  public void up() {
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("the proxy is closed");
      }
      if (listener != null) {
        return;
      }
      ServerSocket socket = bind(port);
      listener = socket;
      startAccepting(socket);
    } finally {
      lock.unlock();
    }
  }

  /** Whether the proxy is listening. */
  public boolean isUp() {
    lock.lock();
    try {
      return listener != null;
    } finally {
      lock.unlock();
    }
  }

  /** The counters so far. */
  public Stats stats() {
    return new Stats(
        accepted.get(), connections.size(), bytesUpstream.get(), bytesDownstream.get(), resets.get());
  }

  /** Stops listening, closes every connection and cancels every timeline. Idempotent. */
  @Override
  public void close() {
    ServerSocket socket;
    lock.lock();
    try {
      closed = true;
      socket = listener;
      listener = null;
    } finally {
      lock.unlock();
    }
    if (socket != null) {
      closeQuietly(socket);
    }
    for (Cancellable timeline : List.copyOf(timelines)) {
      timeline.cancel();
    }
    closeConnections();
  }

  @Override
  public String toString() {
    return "FaultProxy[127.0.0.1:" + port + " -> " + upstream + "]";
  }

  /**
   * The proxy's counters.
   *
   * @param connectionsAccepted client connections accepted since the start
   * @param openConnections connections open now
   * @param bytesUpstream bytes forwarded from clients to the upstream
   * @param bytesDownstream bytes forwarded from the upstream to clients
   * @param resets connections reset by a {@link Toxic.ResetPeer} toxic
   */
  public record Stats(
      long connectionsAccepted, int openConnections, long bytesUpstream, long bytesDownstream, long resets) {}

  /** Configures a {@link FaultProxy}. */
  public static final class Builder {
    private final InetSocketAddress upstream;
    private Scheduler scheduler = Scheduler.system();
    private RandomSource random = RandomSource.threadLocal();
    private Duration connectTimeout = Duration.ofSeconds(5);

    private Builder(InetSocketAddress upstream) {
      this.upstream = upstream;
    }

    /** The scheduler the proxy waits through (latency, bandwidth, slow close) and times toxics with. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** The randomness for toxicity draws and latency jitter. */
    public Builder random(RandomSource random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** How long to wait for the upstream to accept a connection; the client's connection is closed if it does not. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = Checks.checkPositive("connectTimeout", connectTimeout);
      return this;
    }

    /**
     * Binds and starts the proxy.
     *
     * @throws UncheckedIOException if no port can be bound
     */
    public FaultProxy start() {
      return new FaultProxy(this);
    }
  }

  // ---- what a ProxiedConnection and a ToxicTimeline use ----

  Scheduler scheduler() {
    return scheduler;
  }

  RandomSource random() {
    return random;
  }

  int connectTimeoutMillis() {
    return connectTimeoutMillis;
  }

  /** The upstream, resolved now (a name may point elsewhere by the time a later connection opens). */
  InetSocketAddress resolvedUpstream() {
    return upstream.isUnresolved() ? new InetSocketAddress(upstream.getHostString(), upstream.getPort()) : upstream;
  }

  /** The toxics installed now; a live view, iterated by the pumps for every chunk. */
  Collection<ToxicHandle> installed() {
    return toxics.values();
  }

  void forwarded(Direction direction, int bytes) {
    (direction == Direction.UPSTREAM ? bytesUpstream : bytesDownstream).addAndGet(bytes);
  }

  void countReset() {
    resets.incrementAndGet();
  }

  void connectionClosed(ProxiedConnection connection) {
    connections.remove(connection);
  }

  void timelineOver(ToxicTimeline timeline) {
    timelines.remove(timeline);
  }

  boolean isInstalled(ToxicHandle handle) {
    return toxics.get(handle.name()) == handle;
  }

  boolean uninstall(ToxicHandle handle) {
    if (!toxics.remove(handle.name(), handle)) {
      return false;
    }
    for (ProxiedConnection connection : connections) {
      connection.forget(handle);
    }
    return true;
  }

  private void closeConnections() {
    for (ProxiedConnection connection : List.copyOf(connections)) {
      connection.close(null);
    }
  }

  private static InetAddress loopback() {
    try {
      return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ServerSocket bind(int port) {
    ServerSocket socket = null;
    try {
      socket = new ServerSocket();
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(loopback(), port), 128);
      return socket;
    } catch (IOException e) {
      if (socket != null) {
        closeQuietly(socket);
      }
      throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
    }
  }

  private void startAccepting(ServerSocket socket) {
    Thread.ofVirtual().name("blastwall-fault-proxy-accept-" + port).start(() -> acceptLoop(socket));
  }

  /** Accepts until the listening socket closes; any accept failure ends this listener. */
  private void acceptLoop(ServerSocket socket) {
    while (!socket.isClosed()) {
      Socket client;
      try {
        client = socket.accept();
        client.setTcpNoDelay(true);
      } catch (IOException e) {
        return;
      }
      ProxiedConnection connection;
      lock.lock();
      try {
        if (closed || listener != socket) {
          closeQuietly(client);
          return;
        }
        accepted.incrementAndGet();
        connection = new ProxiedConnection(this, client, connectionIds.incrementAndGet());
        connections.add(connection);
      } finally {
        lock.unlock();
      }
      connection.start();
    }
  }

  static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // Closing is best effort: the socket is being abandoned either way.
    }
  }
}
