package dev.blastwall.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.blastwall.idempotency.contract.IdempotencyStoreContract;
import dev.blastwall.testing.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InMemoryIdempotencyStoreTest extends IdempotencyStoreContract {

  private final FakeTicker ticker = new FakeTicker();

  @Override
  protected IdempotencyStore newStore() {
    return InMemoryIdempotencyStore.builder().ticker(ticker).build();
  }

  @Override
  protected void advance(Duration duration) {
    ticker.advance(duration);
  }

  private static final Fingerprint FP = new Fingerprint("fp");

  private static IdempotencyKey key(int i) {
    return new IdempotencyKey("t", "op", "k" + i);
  }

  private static Lease started(Begin begin) {
    assertThat(begin).isInstanceOf(Begin.Started.class);
    return ((Begin.Started) begin).lease();
  }

  @Test
  void fullStoreEvictsTheOldestCompletedRecordAndCountsIt() {
    InMemoryIdempotencyStore store = InMemoryIdempotencyStore.builder().ticker(ticker).maxEntries(3).build();
    for (int i = 0; i < 3; i++) {
      store.complete(started(store.begin(key(i), FP, LEASE)), StoredResponse.of(200, new byte[] {(byte) i}), TTL);
    }
    started(store.begin(key(3), FP, LEASE));

    assertThat(store.size()).isEqualTo(3);
    assertThat(store.evictions()).isEqualTo(1);
    // The evicted key runs again: that is the duplicate the count warns about.
    assertThat(store.begin(key(0), FP, LEASE)).isInstanceOf(Begin.Started.class);
    assertThat(store.begin(key(2), FP, LEASE)).isInstanceOf(Begin.Replay.class);
  }

  @Test
  void expiredRecordsMakeRoomWithoutCountingAnEviction() {
    InMemoryIdempotencyStore store = InMemoryIdempotencyStore.builder().ticker(ticker).maxEntries(2).build();
    store.complete(started(store.begin(key(0), FP, LEASE)), StoredResponse.of(200, new byte[0]), Duration.ofMinutes(1));
    started(store.begin(key(1), FP, Duration.ofSeconds(1)));
    ticker.advance(Duration.ofMinutes(2));

    started(store.begin(key(2), FP, LEASE));
    started(store.begin(key(3), FP, LEASE));
    assertThat(store.evictions()).isZero();
    assertThat(store.size()).isEqualTo(2);
  }

  @Test
  void storeFullOfLiveLeasesFailsClosedInsteadOfForgettingOne() {
    InMemoryIdempotencyStore store = InMemoryIdempotencyStore.builder().ticker(ticker).maxEntries(2).build();
    started(store.begin(key(0), FP, LEASE));
    started(store.begin(key(1), FP, LEASE));
    assertThatThrownBy(() -> store.begin(key(2), FP, LEASE))
        .isInstanceOf(IdempotencyStoreException.class)
        .hasMessageContaining("2 requests in progress (expected: ");
    assertThat(store.begin(key(0), FP, LEASE)).isInstanceOf(Begin.InProgress.class);
  }

  @Test
  void releaseAndPurgeGiveTheirRoomBack() {
    InMemoryIdempotencyStore store = InMemoryIdempotencyStore.builder().ticker(ticker).build();
    store.release(started(store.begin(key(0), FP, LEASE)));
    store.complete(started(store.begin(key(1), FP, LEASE)), StoredResponse.of(200, new byte[0]), Duration.ofSeconds(5));
    assertThat(store.size()).isEqualTo(1);
    ticker.advance(Duration.ofSeconds(5));
    assertThat(store.purgeExpired()).isEqualTo(1);
    assertThat(store.size()).isZero();
  }

  @Test
  void oversizedBodyIsRefusedWithItsSize() {
    InMemoryIdempotencyStore store = InMemoryIdempotencyStore.builder().ticker(ticker).maxBodyBytes(4).build();
    Lease lease = started(store.begin(key(0), FP, LEASE));
    assertThatThrownBy(() -> store.complete(lease, StoredResponse.of(200, new byte[5]), TTL))
        .hasMessage("response.body: 5 bytes (expected: <= 4 bytes)");
    assertThat(store.begin(key(0), FP, LEASE)).isInstanceOf(Begin.InProgress.class);
  }

  @Test
  void builderRefusesOutOfRangeSizes() {
    assertThatThrownBy(() -> InMemoryIdempotencyStore.builder().maxEntries(0))
        .hasMessage("maxEntries: 0 (expected: 1 <= maxEntries <= 100000000)");
  }
}
