package dev.blastwall.idempotency.contract;

import dev.blastwall.idempotency.Begin;
import dev.blastwall.idempotency.Fingerprint;
import dev.blastwall.idempotency.Handled;
import dev.blastwall.idempotency.IdempotencyKey;
import dev.blastwall.idempotency.IdempotencyStore;
import dev.blastwall.idempotency.IdempotentHandler;
import dev.blastwall.idempotency.KeyedResult;
import dev.blastwall.idempotency.Lease;
import dev.blastwall.idempotency.StoredResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link IdempotencyStore} must have: the semantics table of docs/idempotency.md, one test per
 * row, plus isolation and concurrent duplicates. A store's test extends this class and says how to make an empty
 * store and how to move its clock forward (a fake ticker, or shifting stored expiry times: no test sleeps).
 *
 * <p>Lives in its own source root and package so that store modules compile it into their tests (as core's fakes
 * are) without splitting a package of core.
 */
public abstract class IdempotencyStoreContract {

  protected static final Duration LEASE = Duration.ofSeconds(30);
  protected static final Duration TTL = Duration.ofHours(24);

  private static final Fingerprint PAYLOAD = Fingerprint.sha256(bytes("POST /orders {\"sku\":1}"));
  private static final Fingerprint OTHER_PAYLOAD = Fingerprint.sha256(bytes("POST /orders {\"sku\":2}"));

  private IdempotencyStore store;
  private int keys;

  protected IdempotencyStoreContract() {}

  /** An empty store (or one whose earlier records cannot collide with the keys this class makes). */
  protected abstract IdempotencyStore newStore();

  /** Moves the store's notion of now forward by {@code duration}, so leases and TTLs run out without sleeping. */
  protected abstract void advance(Duration duration);

  @BeforeEach
  protected final void makeStore() {
    store = newStore();
  }

  /** A key no earlier test used: stores may be shared across tests. */
  protected final IdempotencyKey freshKey(String tenant) {
    return new IdempotencyKey(tenant, "/shop.Orders/Place", getClass().getSimpleName() + "-" + System.nanoTime()
        + "-" + keys++);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private Lease start(IdempotencyKey key) {
    Begin begin = store.begin(key, PAYLOAD, LEASE);
    assertThat(begin).isInstanceOf(Begin.Started.class);
    return ((Begin.Started) begin).lease();
  }

  @Test
  void firstRequestStartsUnderALease() {
    IdempotencyKey key = freshKey("t1");
    Lease lease = start(key);
    assertThat(lease.key()).isEqualTo(key);
    assertThat(lease.fingerprint()).isEqualTo(PAYLOAD);
  }

  @Test
  void duplicateWhileInProgressGetsRetryAfterWithinTheLease() {
    IdempotencyKey key = freshKey("t1");
    start(key);
    Begin duplicate = store.begin(key, PAYLOAD, LEASE);
    assertThat(duplicate).isInstanceOf(Begin.InProgress.class);
    Duration retryAfter = ((Begin.InProgress) duplicate).retryAfter();
    assertThat(retryAfter).isPositive().isLessThanOrEqualTo(LEASE);
  }

  @Test
  void completedResponseIsReplayedByteForByte() {
    IdempotencyKey key = freshKey("t1");
    byte[] body = {0, 1, 2, (byte) 0xff, '{', '}'};
    assertThat(store.complete(start(key), StoredResponse.of(201, body), TTL)).isTrue();

    for (int retry = 0; retry < 3; retry++) {
      Begin again = store.begin(key, PAYLOAD, LEASE);
      assertThat(again).isEqualTo(new Begin.Replay(StoredResponse.of(201, body)));
    }
  }

  @Test
  void emptyBodyAndErrorStatusAreStoredToo() {
    IdempotencyKey key = freshKey("t1");
    assertThat(store.complete(start(key), StoredResponse.of(400, new byte[0]), TTL)).isTrue();
    assertThat(store.begin(key, PAYLOAD, LEASE)).isEqualTo(new Begin.Replay(StoredResponse.of(400, new byte[0])));
  }

  @Test
  void sameKeyWithAnotherPayloadIsAMismatchWhetherRunningOrDone() {
    IdempotencyKey key = freshKey("t1");
    Lease lease = start(key);
    assertThat(store.begin(key, OTHER_PAYLOAD, LEASE)).isInstanceOf(Begin.Mismatch.class);
    store.complete(lease, StoredResponse.of(200, bytes("ok")), TTL);
    assertThat(store.begin(key, OTHER_PAYLOAD, LEASE)).isInstanceOf(Begin.Mismatch.class);
    assertThat(store.begin(key, PAYLOAD, LEASE)).isInstanceOf(Begin.Replay.class);
  }

  @Test
  void releasedKeyRunsAgainAndStoresNothing() {
    IdempotencyKey key = freshKey("t1");
    Lease lease = start(key);
    store.release(lease);
    assertThat(store.complete(lease, StoredResponse.of(200, bytes("late")), TTL)).isFalse();
    Lease retry = start(key);
    assertThat(retry.token()).isNotEqualTo(lease.token());
  }

  @Test
  void expiredLeaseLetsALaterRequestTakeOverAndFencesTheOldOwner() {
    IdempotencyKey key = freshKey("t1");
    Lease dead = start(key);
    advance(LEASE.plusSeconds(1));

    Lease takeover = start(key);
    assertThat(store.complete(dead, StoredResponse.of(200, bytes("stale")), TTL)).isFalse();
    store.release(dead); // must not drop the new owner's claim
    assertThat(store.begin(key, PAYLOAD, LEASE)).isInstanceOf(Begin.InProgress.class);

    assertThat(store.complete(takeover, StoredResponse.of(200, bytes("fresh")), TTL)).isTrue();
    assertThat(store.begin(key, PAYLOAD, LEASE)).isEqualTo(new Begin.Replay(StoredResponse.of(200, bytes("fresh"))));
  }

  @Test
  void renewedLeaseOutlivesItsFirstEndAndStillCompletes() {
    IdempotencyKey key = freshKey("t1");
    Lease lease = start(key);
    advance(LEASE.minusSeconds(5));
    assertThat(store.renew(lease, LEASE)).isTrue();
    advance(LEASE.minusSeconds(5)); // past the first lease's end, inside the renewed one

    Begin duplicate = store.begin(key, PAYLOAD, LEASE);
    assertThat(duplicate).isInstanceOf(Begin.InProgress.class);
    assertThat(((Begin.InProgress) duplicate).retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(5));
    assertThat(store.complete(lease, StoredResponse.of(200, bytes("slow but once")), TTL)).isTrue();
    assertThat(store.begin(key, PAYLOAD, LEASE))
        .isEqualTo(new Begin.Replay(StoredResponse.of(200, bytes("slow but once"))));
  }

  @Test
  void leaseThatRanOutOrWasTakenOverCannotBeRenewed() {
    IdempotencyKey key = freshKey("t1");
    Lease dead = start(key);
    advance(LEASE.plusSeconds(1));
    assertThat(store.renew(dead, LEASE)).isFalse();

    Lease takeover = start(key);
    assertThat(store.renew(dead, LEASE)).isFalse();
    assertThat(store.renew(takeover, LEASE)).isTrue();
    assertThat(store.complete(dead, StoredResponse.of(200, bytes("stale")), TTL)).isFalse();
  }

  @Test
  void completedOrReleasedLeaseCannotBeRenewed() {
    IdempotencyKey done = freshKey("t1");
    Lease completed = start(done);
    store.complete(completed, StoredResponse.of(200, bytes("ok")), TTL);
    assertThat(store.renew(completed, LEASE)).isFalse();
    assertThat(store.begin(done, PAYLOAD, LEASE)).isInstanceOf(Begin.Replay.class);

    IdempotencyKey dropped = freshKey("t1");
    Lease released = start(dropped);
    store.release(released);
    assertThat(store.renew(released, LEASE)).isFalse();
    start(dropped); // renewing did not bring the claim back
    assertThatThrownBy(() -> store.renew(released, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("lease: PT0S (expected: ");
  }

  @Test
  void leaseStillHeldJustBeforeItRunsOut() {
    IdempotencyKey key = freshKey("t1");
    start(key);
    advance(LEASE.minusSeconds(2));
    assertThat(store.begin(key, PAYLOAD, LEASE)).isInstanceOf(Begin.InProgress.class);
  }

  @Test
  void responseIsForgottenAfterItsTtl() {
    IdempotencyKey key = freshKey("t1");
    store.complete(start(key), StoredResponse.of(200, bytes("ok")), Duration.ofMinutes(10));
    advance(Duration.ofMinutes(9));
    assertThat(store.begin(key, PAYLOAD, LEASE)).isInstanceOf(Begin.Replay.class);
    advance(Duration.ofMinutes(2));
    start(key);
  }

  @Test
  void anotherTenantWithTheSameKeyNeverSeesTheFirstTenantsResponse() {
    IdempotencyKey mine = freshKey("tenant-a");
    IdempotencyKey theirs = new IdempotencyKey("tenant-b", mine.operation(), mine.key());
    store.complete(start(mine), StoredResponse.of(200, bytes("a's secret")), TTL);

    Begin other = store.begin(theirs, PAYLOAD, LEASE);
    assertThat(other).isInstanceOf(Begin.Started.class);
    store.complete(((Begin.Started) other).lease(), StoredResponse.of(200, bytes("b's")), TTL);
    assertThat(store.begin(theirs, PAYLOAD, LEASE)).isEqualTo(new Begin.Replay(StoredResponse.of(200, bytes("b's"))));
    assertThat(store.begin(mine, PAYLOAD, LEASE))
        .isEqualTo(new Begin.Replay(StoredResponse.of(200, bytes("a's secret"))));
  }

  @Test
  void sameKeyOnAnotherOperationIsAnotherRecord() {
    IdempotencyKey place = freshKey("t1");
    store.complete(start(place), StoredResponse.of(200, bytes("placed")), TTL);
    assertThat(store.begin(new IdempotencyKey("t1", "/shop.Orders/Cancel", place.key()), OTHER_PAYLOAD, LEASE))
        .isInstanceOf(Begin.Started.class);
  }

  @Test
  void leaseAndTtlOutOfRangeAreRefusedWithTheirName() {
    IdempotencyKey key = freshKey("t1");
    assertThatThrownBy(() -> store.begin(key, PAYLOAD, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("lease: PT0S (expected: ");
    Lease lease = start(key);
    assertThatThrownBy(() -> store.complete(lease, StoredResponse.of(200, new byte[0]), Duration.ofDays(400)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("ttl: PT9600H (expected: ");
  }

  @Test
  void sixteenConcurrentDuplicatesRunTheHandlerExactlyOnce() throws Exception {
    IdempotentHandler handler = IdempotentHandler.builder(store).build();
    for (int round = 0; round < 20; round++) {
      IdempotencyKey key = freshKey("t1");
      AtomicInteger runs = new AtomicInteger();
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(16);
      try {
        List<Future<KeyedResult>> results = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
          results.add(pool.submit(() -> {
            go.await();
            return handler.handle(key, PAYLOAD, () -> {
              runs.incrementAndGet();
              return Handled.result(StoredResponse.of(200, bytes("charged once")));
            });
          }));
        }
        go.countDown();
        int executed = 0;
        for (Future<KeyedResult> result : results) {
          KeyedResult r = result.get(30, TimeUnit.SECONDS);
          assertThat(r).isInstanceOfAny(KeyedResult.Executed.class, KeyedResult.Replayed.class,
              KeyedResult.InProgress.class);
          if (r instanceof KeyedResult.Executed) {
            executed++;
          }
        }
        assertThat(runs).hasValue(1);
        assertThat(executed).isEqualTo(1);
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
