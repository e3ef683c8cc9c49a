package dev.blastwall.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.blastwall.idempotency.Begin;
import dev.blastwall.idempotency.Fingerprint;
import dev.blastwall.idempotency.IdempotencyKey;
import dev.blastwall.idempotency.IdempotencyStore;
import dev.blastwall.idempotency.contract.IdempotencyStoreContract;
import dev.blastwall.idempotency.IdempotencyStoreException;
import dev.blastwall.idempotency.StoredResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The store contract on a real PostgreSQL, plus what only this store has (purge, table names, a dead pool). */
class PostgresIdempotencyStoreTest extends IdempotencyStoreContract {

  private static RealPostgres postgres;
  private static HikariDataSource pool;
  private static PostgresIdempotencyStore shared;

  @BeforeAll
  static void startPostgres() {
    postgres = RealPostgres.start();
    pool = postgres.pool(16);
    shared = PostgresIdempotencyStore.builder(pool).build();
    shared.createTableIfMissing();
  }

  @AfterAll
  static void stopPostgres() {
    pool.close();
    postgres.close();
  }

  @Override
  protected IdempotencyStore newStore() {
    return shared; // one table for the class: the contract's keys never repeat
  }

  /** Time passes for the records, not the test: every expiry moves back by {@code duration}. */
  @Override
  protected void advance(Duration duration) {
    try (Connection connection = pool.getConnection();
        PreparedStatement shift = connection.prepareStatement(
            "UPDATE " + shared.table() + " SET expires_at = expires_at - ? * interval '1 millisecond'")) {
      shift.setLong(1, duration.toMillis());
      shift.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void purgeDeletesOnlyExpiredRecordsInBatches() {
    PostgresIdempotencyStore store = PostgresIdempotencyStore.builder(pool).table("purge_test").build();
    store.createTableIfMissing();
    Fingerprint fp = new Fingerprint("fp");
    for (int i = 0; i < 5; i++) {
      Begin begin = store.begin(new IdempotencyKey("t", "op", "k" + i), fp, LEASE);
      store.complete(((Begin.Started) begin).lease(), StoredResponse.of(200, new byte[0]), Duration.ofMinutes(i + 1));
    }
    try (Connection connection = pool.getConnection();
        PreparedStatement shift = connection.prepareStatement(
            "UPDATE purge_test SET expires_at = expires_at - interval '150 seconds'")) {
      shift.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    assertThat(store.purgeExpired(1)).isEqualTo(1);
    assertThat(store.purgeExpired(100)).isEqualTo(1);
    assertThat(store.purgeExpired(100)).isZero();
    assertThat(store.begin(new IdempotencyKey("t", "op", "k2"), fp, LEASE)).isInstanceOf(Begin.Replay.class);
  }

  @Test
  void tableNameThatIsNotAPlainIdentifierIsRefused() {
    assertThatThrownBy(() -> PostgresIdempotencyStore.builder(pool).table("x; DROP TABLE y"))
        .hasMessage("table: \"x; DROP TABLE y\" (expected: [a-z_][a-z0-9_]{0,62})");
  }

  @Test
  void unreachableDatabaseIsAStoreFailureNotAnAnswer() {
    HikariDataSource closed = postgres.pool(1);
    closed.close();
    PostgresIdempotencyStore store = PostgresIdempotencyStore.builder(closed).build();
    assertThatThrownBy(() -> store.begin(new IdempotencyKey("t", "op", "k"), new Fingerprint("fp"), LEASE))
        .isInstanceOf(IdempotencyStoreException.class)
        .hasMessageStartingWith("idempotency store begin failed: SQLState ");
  }
}
