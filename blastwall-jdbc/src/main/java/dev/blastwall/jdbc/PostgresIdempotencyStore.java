package dev.blastwall.jdbc;

import dev.blastwall.idempotency.Begin;
import dev.blastwall.idempotency.Fingerprint;
import dev.blastwall.idempotency.IdempotencyKey;
import dev.blastwall.idempotency.IdempotencyStore;
import dev.blastwall.idempotency.IdempotencyStoreException;
import dev.blastwall.idempotency.Lease;
import dev.blastwall.idempotency.StoredResponse;
import dev.blastwall.internal.Checks;
import dev.blastwall.internal.Untrusted;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Idempotency records in a PostgreSQL table, shared by every replica that uses the same database and kept across
 * restarts.
 *
 * <ul>
 *   <li>{@link #begin} is one statement, one round trip: an {@code INSERT ... ON CONFLICT DO UPDATE} that claims a
 *       new key or one whose lease or TTL ran out, and in the same statement reads the record it did not claim.
 *   <li>Times come from the database's {@code clock_timestamp()}, so replicas with skewed clocks agree on when a
 *       lease ends.
 *   <li>{@link #completeWithin} writes the completion in the caller's own transaction: the business write and the
 *       record commit together or not at all, so a crash between them cannot repeat the effect (docs/idempotency.md).
 *   <li>{@link #purgeExpired} deletes expired rows in batches; schedule it (each replica may, it is idempotent).
 * </ul>
 *
 * <p>Any {@link DataSource} works (a HikariCP pool, the driver's own); calls that do not take a connection use one
 * from it in auto-commit mode. Database failures become {@link IdempotencyStoreException}.
 */
public final class PostgresIdempotencyStore implements IdempotencyStore {

  /** The default {@link Builder#table}. */
  public static final String DEFAULT_TABLE = "blastwall_idempotency";

  /** Largest response body stored by default. */
  public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;

  private static final Pattern TABLE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  /** How often begin re-reads when the key's row changed between the claim and the read (a rare race). */
  private static final int BEGIN_ATTEMPTS = 5;

  private final DataSource dataSource;
  private final String table;
  private final int maxBodyBytes;
  private final String beginSql;
  private final String completeSql;
  private final String releaseSql;
  private final String renewSql;
  private final String purgeSql;

  private PostgresIdempotencyStore(Builder builder) {
    this.dataSource = builder.dataSource;
    this.table = builder.table;
    this.maxBodyBytes = builder.maxBodyBytes;
    String key = "tenant = ? AND operation = ? AND idem_key = ?";
    this.beginSql = "WITH claim AS ("
        + " INSERT INTO " + table + " AS r (tenant, operation, idem_key, fingerprint, lease_token, expires_at)"
        + " VALUES (?, ?, ?, ?, ?, clock_timestamp() + ? * interval '1 millisecond')"
        + " ON CONFLICT (tenant, operation, idem_key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint,"
        + " lease_token = EXCLUDED.lease_token, status = NULL, body = NULL, expires_at = EXCLUDED.expires_at"
        + " WHERE r.expires_at <= clock_timestamp()"
        + " RETURNING 1)"
        + " SELECT true, NULL::varchar, NULL::integer, NULL::bytea, 0::bigint FROM claim"
        + " UNION ALL"
        + " SELECT false, fingerprint, status, body,"
        + " GREATEST(1, CEIL(EXTRACT(EPOCH FROM (expires_at - clock_timestamp())) * 1000))::bigint"
        + " FROM " + table + " WHERE " + key + " AND NOT EXISTS (SELECT 1 FROM claim)";
    this.completeSql = "UPDATE " + table + " SET lease_token = NULL, status = ?, body = ?,"
        + " expires_at = clock_timestamp() + ? * interval '1 millisecond' WHERE " + key + " AND lease_token = ?";
    this.releaseSql = "DELETE FROM " + table + " WHERE " + key + " AND lease_token = ?";
    this.renewSql = "UPDATE " + table + " SET expires_at = clock_timestamp() + ? * interval '1 millisecond' WHERE "
        + key + " AND lease_token = ? AND expires_at > clock_timestamp()";
    this.purgeSql = "DELETE FROM " + table + " WHERE ctid = ANY(ARRAY("
        + "SELECT ctid FROM " + table + " WHERE expires_at <= clock_timestamp() LIMIT ?))";
  }

  /** A builder for a store on {@code dataSource}. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /** Creates the table and its expiry index unless they exist (for tests and small services; else a migration). */
  public void createTableIfMissing() {
    try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
      statement.execute(createTableSql());
      statement.execute("CREATE INDEX IF NOT EXISTS " + table + "_expires ON " + table + " (expires_at)");
    } catch (SQLException e) {
      throw failure("create table", e);
    }
  }

  /** The table's definition, for a schema migration tool. */
  public String createTableSql() {
    return "CREATE TABLE IF NOT EXISTS " + table + " ("
        + "tenant varchar(" + IdempotencyKey.MAX_TENANT_LENGTH + ") NOT NULL, "
        + "operation varchar(" + IdempotencyKey.MAX_OPERATION_LENGTH + ") NOT NULL, "
        + "idem_key varchar(" + dev.blastwall.context.Idempotency.MAX_KEY_LENGTH + ") NOT NULL, "
        + "fingerprint varchar(" + Fingerprint.MAX_LENGTH + ") NOT NULL, "
        + "lease_token varchar(64), " // set while in progress, null once completed
        + "status integer, " // set once completed
        + "body bytea, "
        + "expires_at timestamptz NOT NULL, " // the lease's end while in progress, the TTL's end once completed
        + "PRIMARY KEY (tenant, operation, idem_key))";
  }

  @Override
  public Begin begin(IdempotencyKey key, Fingerprint fingerprint, Duration lease) {
    long leaseMillis = millis("lease", lease);
    String token = UUID.randomUUID().toString();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(beginSql)) {
      bindKey(statement, 1, key);
      statement.setString(4, fingerprint.value());
      statement.setString(5, token);
      statement.setLong(6, leaseMillis);
      bindKey(statement, 7, key);
      for (int attempt = 0; attempt < BEGIN_ATTEMPTS; attempt++) {
        try (ResultSet row = statement.executeQuery()) {
          if (!row.next()) {
            // The key's row was inserted or deleted by another caller after this statement's snapshot: look again.
            continue;
          }
          if (row.getBoolean(1)) {
            return new Begin.Started(new Lease(key, fingerprint, token));
          }
          if (!fingerprint.value().equals(row.getString(2))) {
            return new Begin.Mismatch();
          }
          int status = row.getInt(3);
          if (!row.wasNull()) {
            return new Begin.Replay(StoredResponse.of(status, Objects.requireNonNullElse(row.getBytes(4), new byte[0])));
          }
          return new Begin.InProgress(Duration.ofMillis(row.getLong(5)));
        }
      }
      throw new IdempotencyStoreException("idempotency store: key " + Untrusted.quote(key.key())
          + " changed under " + BEGIN_ATTEMPTS + " reads in a row (expected: a settled record)");
    } catch (SQLException e) {
      throw failure("begin", e);
    }
  }

  @Override
  public boolean complete(Lease lease, StoredResponse response, Duration ttl) {
    try (Connection connection = dataSource.getConnection()) {
      return completeWithin(connection, lease, response, ttl);
    } catch (SQLException e) {
      throw failure("complete", e);
    }
  }

  /**
   * Stores {@code response} for {@code lease} on {@code connection}, inside whatever transaction the caller has open
   * on it: commit it together with the business write, so the effect and its record persist together.
   *
   * <p>Returns false when the lease is no longer the caller's (it expired and another request took the key over):
   * the caller must then roll back, so only the new owner's effect commits. The statement locks the record's row
   * until the caller's transaction ends; a duplicate arriving meanwhile waits for it.
   *
   * @throws SQLException as the connection reports it; the caller owns the transaction and decides
   */
  public boolean completeWithin(Connection connection, Lease lease, StoredResponse response, Duration ttl)
      throws SQLException {
    long ttlMillis = millis("ttl", ttl);
    if (response.bodyLength() > maxBodyBytes) {
      throw Checks.invalidArgument("response.body", response.bodyLength() + " bytes", "<= " + maxBodyBytes + " bytes");
    }
    try (PreparedStatement statement = connection.prepareStatement(completeSql)) {
      statement.setInt(1, response.status());
      statement.setBytes(2, response.body());
      statement.setLong(3, ttlMillis);
      bindKey(statement, 4, lease.key());
      statement.setString(7, lease.token());
      return statement.executeUpdate() == 1;
    }
  }

  @Override
  public void release(Lease lease) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(releaseSql)) {
      bindKey(statement, 1, lease.key());
      statement.setString(4, lease.token());
      statement.executeUpdate();
    } catch (SQLException e) {
      throw failure("release", e);
    }
  }

  @Override
  public boolean renew(Lease lease, Duration duration) {
    long leaseMillis = millis("lease", duration);
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(renewSql)) {
      statement.setLong(1, leaseMillis);
      bindKey(statement, 2, lease.key());
      statement.setString(5, lease.token());
      return statement.executeUpdate() == 1;
    } catch (SQLException e) {
      throw failure("renew", e);
    }
  }

  /** Deletes up to {@code batch} expired records (1 to 100,000); returns how many. Call until it returns 0. */
  public int purgeExpired(int batch) {
    Checks.checkRange("batch", batch, 1, 100_000);
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(purgeSql)) {
      statement.setInt(1, batch);
      return statement.executeUpdate();
    } catch (SQLException e) {
      throw failure("purge", e);
    }
  }

  /** The table this store uses. */
  public String table() {
    return table;
  }

  private static void bindKey(PreparedStatement statement, int first, IdempotencyKey key) throws SQLException {
    statement.setString(first, key.tenant());
    statement.setString(first + 1, key.operation());
    statement.setString(first + 2, key.key());
  }

  private static long millis(String name, Duration duration) {
    return Checks.checkRange(name, duration, Duration.ofMillis(1), MAX_DURATION).toMillis();
  }

  private static IdempotencyStoreException failure(String operation, SQLException e) {
    // The SQL state names the failure class (08xxx connection, 57014 cancelled, 53xxx resources) without echoing
    // values from the request.
    return new IdempotencyStoreException("idempotency store " + operation + " failed: SQLState " + e.getSQLState(), e);
  }

  /** Options for a {@link PostgresIdempotencyStore}. */
  public static final class Builder {
    private final DataSource dataSource;
    private String table = DEFAULT_TABLE;
    private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;

    private Builder(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    /** The table's name: lower-case letters, digits and {@code _}, up to 63 characters, not starting with a digit. */
    public Builder table(String table) {
      if (!TABLE_NAME.matcher(table).matches()) {
        throw Checks.invalidArgument("table", Untrusted.quote(table), "[a-z_][a-z0-9_]{0,62}");
      }
      this.table = table;
      return this;
    }

    /** Largest response body stored (0 to 64 MiB); a larger one is refused by {@code complete}. */
    public Builder maxBodyBytes(int maxBodyBytes) {
      this.maxBodyBytes = Checks.checkRange("maxBodyBytes", maxBodyBytes, 0, 64 << 20);
      return this;
    }

    public PostgresIdempotencyStore build() {
      return new PostgresIdempotencyStore(this);
    }
  }
}
