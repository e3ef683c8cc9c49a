package dev.blastwall.lab.fault;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
  private static final int BUFFER_BYTES = 8192;
  /** The bandwidth toxic paces writes in slices of about a fiftieth of a second's worth of bytes. */
  private static final long PACING_SLICES_PER_SECOND = 50;

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
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
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
    for (Connection connection : connections) {
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
    if (start.isNegative()) {
      throw new IllegalArgumentException("start must not be negative: " + start);
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration must be positive: " + duration);
    }
    Timeline entry = new Timeline(name, toxic);
    timelines.add(entry);
    entry.begin = timeline.schedule(entry::begin, start.toNanos());
    entry.end = timeline.schedule(entry::finish, start.plus(duration).toNanos());
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
      if (connectTimeout.isNegative() || connectTimeout.isZero()) {
        throw new IllegalArgumentException("connectTimeout must be positive: " + connectTimeout);
      }
      this.connectTimeout = connectTimeout;
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

  // ---- internals ----

  boolean isInstalled(ToxicHandle handle) {
    return toxics.get(handle.name()) == handle;
  }

  boolean uninstall(ToxicHandle handle) {
    if (!toxics.remove(handle.name(), handle)) {
      return false;
    }
    for (Connection connection : connections) {
      connection.forget(handle);
    }
    return true;
  }

  private void closeConnections() {
    for (Connection connection : List.copyOf(connections)) {
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
      Connection connection;
      lock.lock();
      try {
        if (closed || listener != socket) {
          closeQuietly(client);
          return;
        }
        accepted.incrementAndGet();
        connection = new Connection(client, connectionIds.incrementAndGet());
        connections.add(connection);
      } finally {
        lock.unlock();
      }
      connection.start();
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // Closing is best effort: the socket is being abandoned either way.
    }
  }

  private void sleepUntil(long deadlineNanos) throws InterruptedException {
    long remaining = deadlineNanos - System.nanoTime();
    if (remaining > 0) {
      scheduler.sleep(remaining);
    }
  }

  private boolean roll(double toxicity) {
    if (toxicity >= 1.0) {
      return true;
    }
    if (toxicity <= 0.0) {
      return false;
    }
    return random.nextDouble() < toxicity;
  }

  /** A toxic on a timeline; begin and finish may run in either order, and the toxic is never left behind. */
  private final class Timeline implements Cancellable {
    private final String name;
    private final Toxic toxic;
    private final AtomicBoolean over = new AtomicBoolean();
    private final AtomicReference<@Nullable ToxicHandle> installed = new AtomicReference<>();
    volatile @Nullable Cancellable begin;
    volatile @Nullable Cancellable end;

    Timeline(String name, Toxic toxic) {
      this.name = name;
      this.toxic = toxic;
    }

    void begin() {
      if (over.get()) {
        return;
      }
      ToxicHandle handle;
      try {
        handle = addToxic(name, toxic);
      } catch (IllegalArgumentException nameTaken) {
        return; // Another toxic holds the name: this timeline installs nothing.
      }
      installed.set(handle);
      if (over.get()) {
        handle.remove();
      }
    }

    void finish() {
      over.set(true);
      timelines.remove(this);
      ToxicHandle handle = installed.get();
      if (handle != null) {
        handle.remove();
      }
    }

    @Override
    public boolean cancel() {
      boolean wasLive = !over.get();
      Cancellable first = begin;
      Cancellable last = end;
      if (first != null) {
        first.cancel();
      }
      if (last != null) {
        last.cancel();
      }
      finish();
      return wasLive;
    }
  }

  /** What one connection drew for one toxic, and the timer it armed (timeout, reset_peer). */
  private static final class Decision {
    final boolean applies;
    volatile @Nullable Cancellable timer;

    Decision(boolean applies) {
      this.applies = applies;
    }
  }

  /** The effect of the toxics on one chunk of data in one direction. */
  private record Effect(boolean drop, long delayNanos, long bytesPerSecond) {}

  /** One proxied connection: the client socket, the upstream socket and a pump thread per direction. */
  private final class Connection {
    private final Socket client;
    private final long id;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong pumpsLeft = new AtomicLong(2);
    private final ConcurrentHashMap<ToxicHandle, Decision> decisions = new ConcurrentHashMap<>();
    private volatile @Nullable Socket server;
    private volatile @Nullable Thread upstreamPump;
    private volatile @Nullable Thread downstreamPump;
    private volatile boolean ready;

    Connection(Socket client, long id) {
      this.client = client;
      this.id = id;
    }

    void start() {
      upstreamPump = Thread.ofVirtual().name("blastwall-fault-proxy-" + id + "-upstream").start(this::run);
    }

    private void run() {
      Socket upstreamSocket = new Socket();
      try {
        // Each chunk is passed on as it arrives: Nagle's algorithm would hold small writes back until the peer's
        // delayed ACK, adding milliseconds to every request and answer that the system under test never caused.
        upstreamSocket.setTcpNoDelay(true);
        upstreamSocket.connect(resolved(), connectTimeoutMillis);
      } catch (IOException e) {
        closeQuietly(upstreamSocket);
        close(null);
        return;
      }
      server = upstreamSocket;
      if (closed.get()) {
        closeQuietly(upstreamSocket);
        return;
      }
      ready = true;
      for (ToxicHandle handle : toxics.values()) {
        decide(handle);
      }
      downstreamPump =
          Thread.ofVirtual()
              .name("blastwall-fault-proxy-" + id + "-downstream")
              .start(() -> pump(Direction.DOWNSTREAM, upstreamSocket, client, bytesDownstream));
      pump(Direction.UPSTREAM, client, upstreamSocket, bytesUpstream);
    }

    private InetSocketAddress resolved() {
      return upstream.isUnresolved() ? new InetSocketAddress(upstream.getHostString(), upstream.getPort()) : upstream;
    }

    /** A toxic was installed: draw for it now if the connection is forwarding (else it draws when it starts). */
    void offer(ToxicHandle handle) {
      if (ready) {
        decide(handle);
      }
    }

    /** A toxic was removed: drop the draw and disarm its timer. */
    void forget(ToxicHandle handle) {
      Decision decision = decisions.remove(handle);
      if (decision != null) {
        Cancellable timer = decision.timer;
        if (timer != null) {
          timer.cancel();
        }
      }
    }

    private Decision decide(ToxicHandle handle) {
      Decision existing = decisions.get(handle);
      if (existing != null) {
        return existing;
      }
      Decision fresh = new Decision(roll(handle.toxic().toxicity()));
      Decision raced = decisions.putIfAbsent(handle, fresh);
      if (raced != null) {
        return raced;
      }
      if (fresh.applies) {
        arm(handle, fresh);
      }
      return fresh;
    }

    private void arm(ToxicHandle handle, Decision decision) {
      Cancellable timer =
          switch (handle.toxic()) {
            case Toxic.Timeout timeout when timeout.timeout().isPositive() ->
                scheduler.schedule(() -> close(null), timeout.timeout().toNanos());
            case Toxic.ResetPeer reset ->
                scheduler.schedule(() -> reset(reset.direction()), reset.after().toNanos());
            default -> null;
          };
      if (timer != null) {
        decision.timer = timer;
        if (!isInstalled(handle)) {
          timer.cancel();
        }
      }
    }

    private Effect effect(Direction direction) {
      boolean drop = false;
      long delayNanos = 0;
      long bytesPerSecond = Long.MAX_VALUE;
      for (ToxicHandle handle : toxics.values()) {
        Toxic toxic = handle.toxic();
        if (toxic.direction() != direction || !decide(handle).applies) {
          continue;
        }
        switch (toxic) {
          case Toxic.Timeout unused -> drop = true;
          case Toxic.Latency latency -> delayNanos += jittered(latency);
          case Toxic.Bandwidth bandwidth -> bytesPerSecond = Math.min(bytesPerSecond, bandwidth.bytesPerSecond());
          case Toxic.ResetPeer unused -> {}
          case Toxic.SlowClose unused -> {}
        }
      }
      return new Effect(drop, delayNanos, bytesPerSecond == Long.MAX_VALUE ? 0 : bytesPerSecond);
    }

    private long jittered(Toxic.Latency latency) {
      long base = latency.latency().toNanos();
      long jitter = latency.jitter().toNanos();
      if (jitter == 0) {
        return base;
      }
      long offset = (long) ((random.nextDouble() * 2.0 - 1.0) * jitter);
      return Math.max(0, base + offset);
    }

    private long slowCloseNanos(Direction direction) {
      long delay = 0;
      for (ToxicHandle handle : toxics.values()) {
        if (handle.toxic() instanceof Toxic.SlowClose slow
            && slow.direction() == direction
            && decide(handle).applies) {
          delay = Math.max(delay, slow.delay().toNanos());
        }
      }
      return delay;
    }

    /** Copies {@code from} to {@code to} through the toxics until end of stream or until the connection closes. */
    private void pump(Direction direction, Socket from, Socket to, AtomicLong forwarded) {
      byte[] buffer = new byte[BUFFER_BYTES];
      long pacedUntil = 0;
      try {
        var in = from.getInputStream();
        var out = to.getOutputStream();
        // Ends at end of stream, or when the connection closes and the read fails.
        while (true) {
          int read = in.read(buffer);
          long readAt = System.nanoTime();
          if (read < 0) {
            long delay = slowCloseNanos(direction);
            if (delay > 0) {
              scheduler.sleep(delay);
            }
            to.shutdownOutput();
            return;
          }
          Effect effect = effect(direction);
          if (effect.drop()) {
            continue;
          }
          if (effect.delayNanos() > 0) {
            sleepUntil(readAt + effect.delayNanos());
          }
          if (effect.bytesPerSecond() == 0) {
            out.write(buffer, 0, read);
          } else {
            long rate = effect.bytesPerSecond();
            int slice = (int) Math.max(1, Math.min(read, rate / PACING_SLICES_PER_SECOND));
            for (int offset = 0; offset < read; offset += slice) {
              int length = Math.min(slice, read - offset);
              pacedUntil = Math.max(pacedUntil, System.nanoTime()) + length * 1_000_000_000L / rate;
              sleepUntil(pacedUntil);
              out.write(buffer, offset, length);
            }
          }
          out.flush();
          forwarded.addAndGet(read);
        }
      } catch (IOException e) {
        close(null);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close(null);
      } finally {
        if (pumpsLeft.decrementAndGet() == 0) {
          close(null);
        }
      }
    }

    private void reset(Direction direction) {
      Socket upstreamSocket = server;
      Socket target = direction == Direction.DOWNSTREAM ? client : upstreamSocket;
      if (target != null) {
        close(target);
      }
    }

    /**
     * Closes both sockets, the {@code resetTarget} (if any) with an RST; interrupts the pumps.
     *
     * @return whether this call closed the connection
     */
    boolean close(@Nullable Socket resetTarget) {
      if (!closed.compareAndSet(false, true)) {
        return false;
      }
      connections.remove(this);
      if (resetTarget != null) {
        resets.incrementAndGet(); // Counted before the RST goes out, so whoever sees it sees the count.
        try {
          resetTarget.setSoLinger(true, 0);
        } catch (IOException ignored) {
          // Already closed: there is nothing left to reset.
        }
        closeQuietly(resetTarget);
      }
      closeQuietly(client);
      Socket upstreamSocket = server;
      if (upstreamSocket != null) {
        closeQuietly(upstreamSocket);
      }
      for (ToxicHandle handle : List.copyOf(decisions.keySet())) {
        forget(handle);
      }
      Thread self = Thread.currentThread();
      Thread up = upstreamPump;
      Thread down = downstreamPump;
      if (up != null && up != self) {
        up.interrupt();
      }
      if (down != null && down != self) {
        down.interrupt();
      }
      return true;
    }
  }
}
