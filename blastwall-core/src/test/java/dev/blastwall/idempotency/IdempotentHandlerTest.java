package dev.blastwall.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IdempotentHandlerTest {

  private final FakeTicker ticker = new FakeTicker();
  private final InMemoryIdempotencyStore store = InMemoryIdempotencyStore.builder().ticker(ticker).build();
  private final IdempotentHandler handler =
      IdempotentHandler.builder(store).lease(Duration.ofSeconds(10)).ttl(Duration.ofHours(1)).build();
  private final IdempotencyKey key = new IdempotencyKey("tenant", "/pay.Payments/Charge", "order-17");
  private final Fingerprint fp = Fingerprint.sha256("charge 10 EUR".getBytes(java.nio.charset.StandardCharsets.UTF_8));
  private final AtomicInteger charges = new AtomicInteger();

  private Handled charge(int status) {
    charges.incrementAndGet();
    return Handled.result(StoredResponse.of(status, new byte[] {1}));
  }

  @Test
  void retryAfterSuccessReplaysWithoutRunningTheHandler() {
    assertThat(handler.handle(key, fp, () -> charge(200)))
        .isEqualTo(new KeyedResult.Executed(StoredResponse.of(200, new byte[] {1}), true));
    assertThat(handler.handle(key, fp, () -> charge(200)))
        .isEqualTo(new KeyedResult.Replayed(StoredResponse.of(200, new byte[] {1})));
    assertThat(charges).hasValue(1);
  }

  @Test
  void retryableFailureIsNotStoredSoTheRetryRuns() {
    KeyedResult first = handler.handle(key, fp, () -> Handled.retryable(StoredResponse.of(503, new byte[0])));
    assertThat(first).isEqualTo(new KeyedResult.Executed(StoredResponse.of(503, new byte[0]), false));
    assertThat(handler.handle(key, fp, () -> charge(200))).isInstanceOf(KeyedResult.Executed.class);
    assertThat(charges).hasValue(1);
  }

  @Test
  void handlerThatThrowsReleasesTheKeyAndTheExceptionPropagates() {
    assertThatThrownBy(() -> handler.handle(key, fp, () -> {
      throw new java.io.IOException("database down");
    })).isInstanceOf(java.io.IOException.class);
    assertThat(handler.handle(key, fp, () -> charge(200))).isInstanceOf(KeyedResult.Executed.class);
  }

  @Test
  void duplicateDuringTheRunIsInProgressWithTheLeaseAsHint() {
    KeyedResult inner = handler.handle(key, fp, () -> {
      KeyedResult duplicate = handler.handle(key, fp, () -> charge(200));
      assertThat(duplicate).isEqualTo(new KeyedResult.InProgress(Duration.ofSeconds(10)));
      return charge(200);
    });
    assertThat(inner).isInstanceOf(KeyedResult.Executed.class);
    assertThat(charges).hasValue(1);
  }

  @Test
  void otherPayloadUnderTheSameKeyIsAMismatchAndRunsNothing() {
    handler.handle(key, fp, () -> charge(200));
    assertThat(handler.handle(key, new Fingerprint("other"), () -> charge(200)))
        .isInstanceOf(KeyedResult.Mismatch.class);
    assertThat(charges).hasValue(1);
  }

  @Test
  void ownerWhoseLeaseWasTakenOverIsToldItsResponseWasNotStored() {
    KeyedResult slow = handler.handle(key, fp, () -> {
      ticker.advance(Duration.ofSeconds(11));
      assertThat(handler.handle(key, fp, () -> charge(201))).isInstanceOf(KeyedResult.Executed.class);
      return charge(200);
    });
    assertThat(slow).isEqualTo(new KeyedResult.Executed(StoredResponse.of(200, new byte[] {1}), false));
    assertThat(handler.handle(key, fp, () -> charge(200)))
        .isEqualTo(new KeyedResult.Replayed(StoredResponse.of(201, new byte[] {1})));
  }
}
