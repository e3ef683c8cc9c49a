package dev.blastwall.lab.fault;

import dev.blastwall.time.Cancellable;
import dev.blastwall.time.RandomSource;
import dev.blastwall.time.Scheduler;
import java.io.IOException;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One proxied connection of a {@link FaultProxy}: the client socket, the upstream socket and a pump thread per
 * direction that copies data through the toxics installed on the proxy.
 */
final class ProxiedConnection {
  private static final int BUFFER_BYTES = 8192;
  /** The bandwidth toxic paces writes in slices of about a fiftieth of a second's worth of bytes. */
  private static final long PACING_SLICES_PER_SECOND = 50;

  private final FaultProxy proxy;
  private final Scheduler scheduler;
  private final RandomSource random;
  private final Socket client;
  private final long id;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong pumpsLeft = new AtomicLong(2);
  private final ConcurrentHashMap<ToxicHandle, Decision> decisions = new ConcurrentHashMap<>();
  private volatile @Nullable Socket server;
  private volatile @Nullable Thread upstreamPump;
  private volatile @Nullable Thread downstreamPump;
  private volatile boolean ready;

  ProxiedConnection(FaultProxy proxy, Socket client, long id) {
    this.proxy = proxy;
    this.scheduler = proxy.scheduler();
    this.random = proxy.random();
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
      upstreamSocket.connect(proxy.resolvedUpstream(), proxy.connectTimeoutMillis());
    } catch (IOException e) {
      FaultProxy.closeQuietly(upstreamSocket);
      close(null);
      return;
    }
    server = upstreamSocket;
    if (closed.get()) {
      FaultProxy.closeQuietly(upstreamSocket);
      return;
    }
    ready = true;
    for (ToxicHandle handle : proxy.installed()) {
      decide(handle);
    }
    downstreamPump =
        Thread.ofVirtual()
            .name("blastwall-fault-proxy-" + id + "-downstream")
            .start(() -> pump(Direction.DOWNSTREAM, upstreamSocket, client));
    pump(Direction.UPSTREAM, client, upstreamSocket);
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
      if (!proxy.isInstalled(handle)) {
        timer.cancel();
      }
    }
  }

  private Effect effect(Direction direction) {
    boolean drop = false;
    long delayNanos = 0;
    long bytesPerSecond = Long.MAX_VALUE;
    for (ToxicHandle handle : proxy.installed()) {
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
    for (ToxicHandle handle : proxy.installed()) {
      if (handle.toxic() instanceof Toxic.SlowClose slow
          && slow.direction() == direction
          && decide(handle).applies) {
        delay = Math.max(delay, slow.delay().toNanos());
      }
    }
    return delay;
  }

  /** Copies {@code from} to {@code to} through the toxics until end of stream or until the connection closes. */
  private void pump(Direction direction, Socket from, Socket to) {
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
        proxy.forwarded(direction, read);
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
    proxy.connectionClosed(this);
    if (resetTarget != null) {
      proxy.countReset(); // Counted before the RST goes out, so whoever sees it sees the count.
      try {
        resetTarget.setSoLinger(true, 0);
      } catch (IOException ignored) {
        // Already closed: there is nothing left to reset.
      }
      FaultProxy.closeQuietly(resetTarget);
    }
    FaultProxy.closeQuietly(client);
    Socket upstreamSocket = server;
    if (upstreamSocket != null) {
      FaultProxy.closeQuietly(upstreamSocket);
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
}
