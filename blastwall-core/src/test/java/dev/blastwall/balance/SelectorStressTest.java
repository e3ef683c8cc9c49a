package dev.blastwall.balance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.blastwall.testing.FakeTicker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Many threads picking while membership changes: every start is given back, and no pick comes up empty. */
class SelectorStressTest {

  private static final int THREADS = 8;
  private static final int PICKS_PER_THREAD = 100_000;

  static List<String> names() {
    return Selectors.names();
  }

  @ParameterizedTest
  @MethodSource("names")
  void pairedStartsAndCompletions_leaveNothingOutstanding(String name) throws Exception {
    FakeTicker ticker = new FakeTicker();
    Selector selector = Selectors.byName(name, ticker, new SeededRandom(11));
    List<Endpoint> all = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      all.add(new Endpoint("10.0.0." + i + ":50051", 1 + i % 3, ticker));
    }
    List<Endpoint> some = List.copyOf(all.subList(0, 4));
    List<Endpoint> others = List.copyOf(all.subList(2, 6));
    selector.update(all);
    CountDownLatch start = new CountDownLatch(1);
    AtomicBoolean done = new AtomicBoolean();

    try (ExecutorService pool = Executors.newFixedThreadPool(THREADS + 2)) {
      List<Future<?>> pickers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        pickers.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < PICKS_PER_THREAD; i++) {
            Endpoint endpoint = Picks.pick(selector, (i & 1) == 0 ? null : "key-" + (i & 1023));
            endpoint.onStart();
            endpoint.onComplete(1_000 + (i & 255), (i + thread) % 7 != 0);
          }
          return null;
        }));
      }
      Future<?> updater = pool.submit(() -> {
        start.await();
        for (int round = 0; !done.get(); round++) {
          selector.update(switch (round % 3) {
            case 0 -> some;
            case 1 -> others;
            default -> all;
          });
        }
        return null;
      });
      Future<?> clock = pool.submit(() -> {
        start.await();
        while (!done.get()) {
          ticker.advanceNanos(1_000);
          Thread.onSpinWait();
        }
        return null;
      });
      start.countDown();
      try {
        for (Future<?> picker : pickers) {
          picker.get(2, TimeUnit.MINUTES);
        }
      } finally {
        done.set(true);
      }
      updater.get(1, TimeUnit.MINUTES);
      clock.get(1, TimeUnit.MINUTES);
    }

    assertThat(all).allSatisfy(e -> assertThat(e.outstanding()).as(e.id()).isZero());
    assertThat(all).anySatisfy(e -> assertThat(e.hasLatencySample()).isTrue());
  }
}
