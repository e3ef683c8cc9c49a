package dev.blastwall.servlet;

import dev.blastwall.context.CallContext;
import dev.blastwall.failure.OverloadedException;
import dev.blastwall.http.HttpStatusMapping;
import dev.blastwall.server.Admission;
import dev.blastwall.server.Permit;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A test admission with {@code capacity} places that counts every permit handed out and every end it received,
 * and every end after the first of one permit: a leak shows as {@link #inFlight()} above zero once all is quiet, a
 * double release as {@link #extraEnds()} above zero.
 */
final class CountingAdmission implements Admission {

  private final int capacity;
  private final boolean rateLimit;
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger admitted = new AtomicInteger();
  final AtomicInteger refused = new AtomicInteger();
  final AtomicInteger ended = new AtomicInteger();
  final AtomicInteger extraEnds = new AtomicInteger();

  CountingAdmission(int capacity, boolean rateLimit) {
    this.capacity = capacity;
    this.rateLimit = rateLimit;
  }

  @Override
  public @Nullable Permit tryAdmit(CallContext context) {
    if (inFlight.incrementAndGet() > capacity) {
      inFlight.decrementAndGet();
      refused.incrementAndGet();
      return null;
    }
    admitted.incrementAndGet();
    AtomicBoolean once = new AtomicBoolean();
    Runnable end = () -> {
      if (once.compareAndSet(false, true)) {
        inFlight.decrementAndGet();
        ended.incrementAndGet();
      } else {
        extraEnds.incrementAndGet();
      }
    };
    return new Permit() {
      @Override
      public void onSuccess() {
        end.run();
      }

      @Override
      public void onDropped() {
        end.run();
      }

      @Override
      public void onIgnore() {
        end.run();
      }
    };
  }

  @Override
  public OverloadedException rejection(CallContext context) {
    return new OverloadedException("test", rateLimit ? HttpStatusMapping.RATE_LIMITER_POLICY : "admission",
        "full: " + capacity + " in flight", TimeUnit.MILLISECONDS.toNanos(1500), "shed");
  }

  int inFlight() {
    return inFlight.get();
  }

  int extraEnds() {
    return extraEnds.get();
  }
}
