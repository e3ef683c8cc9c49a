package dev.blastwall.lab.fault;

import dev.blastwall.time.Cancellable;
import dev.blastwall.time.Scheduler;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * A toxic on a proxy's timeline ({@link FaultProxy#schedule}): installed at its start, removed at its end. Begin and
 * finish may run in either order, and the toxic is never left behind.
 */
final class ToxicTimeline implements Cancellable {
  private final FaultProxy proxy;
  private final String name;
  private final Toxic toxic;
  private final AtomicBoolean over = new AtomicBoolean();
  private final AtomicReference<@Nullable ToxicHandle> installed = new AtomicReference<>();
  private volatile @Nullable Cancellable begin;
  private volatile @Nullable Cancellable end;

  ToxicTimeline(FaultProxy proxy, String name, Toxic toxic) {
    this.proxy = proxy;
    this.name = name;
    this.toxic = toxic;
  }

  /** Times the install {@code startNanos} from now and the removal {@code endNanos} from now on {@code timeline}. */
  void arm(Scheduler timeline, long startNanos, long endNanos) {
    begin = timeline.schedule(this::begin, startNanos);
    end = timeline.schedule(this::finish, endNanos);
  }

  private void begin() {
    if (over.get()) {
      return;
    }
    ToxicHandle handle;
    try {
      handle = proxy.addToxic(name, toxic);
    } catch (IllegalArgumentException nameTaken) {
      return; // Another toxic holds the name: this timeline installs nothing.
    }
    installed.set(handle);
    if (over.get()) {
      handle.remove();
    }
  }

  private void finish() {
    over.set(true);
    proxy.timelineOver(this);
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
