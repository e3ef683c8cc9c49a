package dev.blastwall.balance;

import dev.blastwall.time.RandomSource;
import dev.blastwall.time.Ticker;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Power of two choices by peak-EWMA cost (Finagle's {@code p2cPeakEwma}): draws two distinct endpoints at random
 * and picks the cheaper, where {@code cost = latencyEstimate * (outstanding + 1)}: the latency the next call can
 * expect if it queues behind the calls already in flight.
 *
 * <p>The latency estimate is each {@link Endpoint}'s peak EWMA, so an endpoint that turns slow is avoided from its
 * first slow response, and is trusted again only as faster responses (or idle time) bring the estimate down.
 *
 * <p>An endpoint with no latency sample yet (new, or never completed a call) borrows the estimate of the endpoint
 * it is drawn against, so the pair is decided by outstanding calls alone, a tie going to the endpoint without a
 * sample. There is no penalty: a new endpoint is tried as soon as it is drawn and no busier than its rival, and it
 * is not flooded before its first response comes back (which a cost of zero would do). Other ties go to the first
 * endpoint drawn. Weights are ignored.
 *
 * <p>Give the endpoints the same ticker as this selector: estimates are decayed to this selector's reading of now.
 *
 * <p>Thread-safe and lock-free: two random draws, one ticker reading and two estimate reads per pick; picks
 * allocate nothing.
 */
public final class PeakEwmaSelector implements Selector {

  private volatile List<Endpoint> endpoints = List.of();
  private final Ticker ticker;
  private final RandomSource random;

  /** An empty selector that reads time from {@code ticker} and draws its choices from {@code random}. */
  public PeakEwmaSelector(Ticker ticker, RandomSource random) {
    this.ticker = ticker;
    this.random = random;
  }

  @Override
  public @Nullable Endpoint pick(@Nullable Object requestKey) {
    List<Endpoint> current = endpoints;
    int size = current.size();
    if (size <= 1) {
      return size == 0 ? null : current.get(0);
    }
    int first = Snapshots.index(random, size);
    Endpoint a = current.get(first);
    Endpoint b = current.get(Snapshots.indexOtherThan(random, size, first));
    long now = ticker.nanos();
    double latencyA = a.estimateAt(now);
    double latencyB = b.estimateAt(now);
    if (latencyA < 0 || latencyB < 0) {
      // At least one has no sample: compare as if both had the same latency, and settle a tie in favour of the
      // one without a sample so that it gets its first one promptly.
      int outstandingA = a.outstanding();
      int outstandingB = b.outstanding();
      if (outstandingA != outstandingB) {
        return outstandingB < outstandingA ? b : a;
      }
      return latencyA < 0 ? a : b;
    }
    double costA = latencyA * (a.outstanding() + 1);
    double costB = latencyB * (b.outstanding() + 1);
    return costB < costA ? b : a;
  }

  @Override
  public void update(List<Endpoint> endpoints) {
    this.endpoints = Snapshots.copyOf(endpoints);
  }

  @Override
  public List<Endpoint> endpoints() {
    return endpoints;
  }

  @Override
  public String name() {
    return Selectors.PEAK_EWMA;
  }

  @Override
  public String toString() {
    return "PeakEwmaSelector" + endpoints;
  }
}
