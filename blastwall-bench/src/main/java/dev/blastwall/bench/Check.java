package dev.blastwall.bench;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/** Set-up checks: a failure benchmark that does not fail as intended would measure the wrong thing. */
final class Check {

  private Check() {}

  /** Runs the failing payload through {@code runner} and checks it made {@code attempts} and threw {@code type}. */
  static void attempts(int attempts, Class<? extends Exception> type, Runner runner) {
    AtomicInteger calls = new AtomicInteger();
    Callable<String> counting = () -> {
      calls.incrementAndGet();
      throw Payload.FAILURE;
    };
    rejects(type, () -> runner.run(counting));
    if (calls.get() != attempts) {
      throw new IllegalStateException("expected " + attempts + " attempts, saw " + calls.get());
    }
  }

  /** Checks that {@code call} throws {@code type}. */
  static void rejects(Class<? extends Exception> type, Callable<?> call) {
    try {
      call.call();
    } catch (Exception expected) {
      if (type.isInstance(expected)) {
        return;
      }
      throw new IllegalStateException("expected " + type.getName() + ", got " + expected, expected);
    }
    throw new IllegalStateException("expected " + type.getName() + ", got a result");
  }

  /** Checks that every call returns the payload's value: a benchmark that loses it measures the wrong thing. */
  static void returnsValue(Callable<?>... calls) {
    for (Callable<?> call : calls) {
      Object value;
      try {
        value = call.call();
      } catch (Exception failed) {
        throw new IllegalStateException("expected " + Payload.VALUE + ", got " + failed, failed);
      }
      if (!Payload.VALUE.equals(value)) {
        throw new IllegalStateException("expected " + Payload.VALUE + ", got " + value);
      }
    }
  }

  /** Runs a task through one library's policies. */
  @FunctionalInterface
  interface Runner {
    Object run(Callable<String> task) throws Exception;
  }
}
