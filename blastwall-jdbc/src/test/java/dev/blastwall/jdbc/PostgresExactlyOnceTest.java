package dev.blastwall.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.blastwall.idempotency.Begin;
import dev.blastwall.idempotency.Fingerprint;
import dev.blastwall.idempotency.IdempotencyKey;
import dev.blastwall.idempotency.StoredResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once effects on a real PostgreSQL: a "server" places an order (a row in a business table) and completes
 * the idempotency record in the same transaction; the "client" loses 20% of the responses and retries with the same
 * key. Every key must end with exactly one order, also when the server's connection pool is torn down mid-run
 * (a restart: in-flight transactions are aborted, leases are left behind and must expire).
 */
class PostgresExactlyOnceTest {

  private static final int MUTATIONS = 10_000;
  private static final int THREADS = 4;
  /** Short, so that the keys a restart leaves in progress free up quickly; correctness does not depend on it. */
  private static final Duration LEASE = Duration.ofMillis(500);

  private static RealPostgres postgres;

  @BeforeAll
  static void startPostgres() {
    postgres = RealPostgres.start();
  }

  @AfterAll
  static void stopPostgres() {
    postgres.close();
  }

  /** One server process: a pool and the store on it. Closing the pool is the process dying. */
  private record Server(HikariDataSource pool, PostgresIdempotencyStore store) {
    static Server start(String table) {
      HikariDataSource pool = postgres.pool(THREADS);
      return new Server(pool, PostgresIdempotencyStore.builder(pool).table(table).build());
    }

    /** Places the order for {@code key} once; the record and the order commit together or not at all. */
    StoredResponse placeOrder(IdempotencyKey key, Fingerprint fingerprint, String orders) throws SQLException {
      for (;;) {
        Begin begin = store.begin(key, fingerprint, LEASE);
        switch (begin) {
          case Begin.Replay replay -> {
            return replay.response();
          }
          case Begin.Started started -> {
            try (Connection tx = pool.getConnection()) {
              tx.setAutoCommit(false);
              try (PreparedStatement insert = tx.prepareStatement("INSERT INTO " + orders + " (idem_key) VALUES (?)")) {
                insert.setString(1, key.key());
                insert.executeUpdate();
              }
              StoredResponse placed = StoredResponse.of(201, key.key().getBytes(StandardCharsets.UTF_8));
              if (store.completeWithin(tx, started.lease(), placed, Duration.ofHours(24))) {
                tx.commit();
                return placed;
              }
              tx.rollback(); // the lease was taken over: the new owner's order is the one that counts
            }
          }
          case Begin.InProgress busy -> sleepQuietly(busy.retryAfter()); // a lease a restart left behind
          case Begin.Mismatch mismatch -> throw new AssertionError("same payload for every retry of " + key);
        }
      }
    }
  }

  private static void sleepQuietly(Duration duration) {
    try {
      Thread.sleep(Math.min(duration.toMillis(), LEASE.toMillis()) + 1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void createTables(String orders, String records) throws SQLException {
    try (HikariDataSource pool = postgres.pool(1)) {
      PostgresIdempotencyStore.builder(pool).table(records).build().createTableIfMissing();
      try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE " + orders + " (id bigserial PRIMARY KEY, idem_key varchar(255) NOT NULL)");
      }
    }
  }

  /** Counts of (orders, distinct keys ordered). */
  private static long[] orderCounts(String orders) throws SQLException {
    try (HikariDataSource pool = postgres.pool(1); Connection c = pool.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*), count(DISTINCT idem_key) FROM " + orders)) {
      r.next();
      return new long[] {r.getLong(1), r.getLong(2)};
    }
  }

  private record Run(long orders, long distinct, int droppedResponses, int failedCalls) {}

  private static Run run(String name, boolean restartMidway) throws Exception {
    String orders = name + "_orders";
    String records = name + "_records";
    createTables(orders, records);
    AtomicReference<Server> server = new AtomicReference<>(Server.start(records));
    AtomicInteger next = new AtomicInteger();
    AtomicInteger dropped = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger restarts = new AtomicInteger();
    ExecutorService clients = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        SplittableRandom random = new SplittableRandom(17 + t);
        done.add(clients.submit(() -> {
          for (int i = next.getAndIncrement(); i < MUTATIONS; i = next.getAndIncrement()) {
            if (restartMidway && i == MUTATIONS / 2 && restarts.getAndIncrement() == 0) {
              // Kill the server under the other clients' in-flight calls, then start a new one on the same database.
              Server dead = server.getAndSet(Server.start(records));
              dead.pool().close();
            }
            IdempotencyKey key = new IdempotencyKey("tenant", "/shop.Orders/Place", "order-" + i);
            Fingerprint fingerprint = Fingerprint.sha256(key.key().getBytes(StandardCharsets.UTF_8));
            for (;;) {
              try {
                server.get().placeOrder(key, fingerprint, orders);
              } catch (SQLException | RuntimeException lost) {
                failed.incrementAndGet(); // the server died under the call: the client retries the same key
                continue;
              }
              if (random.nextInt(5) == 0) {
                dropped.incrementAndGet(); // the response is lost on the way back: retry with the same key
                continue;
              }
              break;
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      clients.shutdownNow();
      server.get().pool().close();
    }
    long[] counts = orderCounts(orders);
    return new Run(counts[0], counts[1], dropped.get(), failed.get());
  }

  @Test
  void tenThousandMutationsWithAFifthOfResponsesLostPlaceEachOrderOnce() throws Exception {
    Run run = run("lost_responses", false);
    assertThat(run.droppedResponses()).isBetween(MUTATIONS / 6, MUTATIONS / 3);
    assertThat(run.distinct()).isEqualTo(MUTATIONS);
    assertThat(run.orders()).as("duplicate orders").isEqualTo(MUTATIONS);
  }

  @Test
  void serverRestartMidRunStillPlacesEachOrderOnce() throws Exception {
    Run run = run("restart", true);
    assertThat(run.distinct()).isEqualTo(MUTATIONS);
    assertThat(run.orders()).as("duplicate orders").isEqualTo(MUTATIONS);
  }
}
