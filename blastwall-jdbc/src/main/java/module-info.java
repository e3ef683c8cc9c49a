/** Blastwall's JDBC stores: idempotency records on PostgreSQL through any {@code javax.sql.DataSource}. */
module dev.blastwall.jdbc {
  requires static transitive org.jspecify;
  requires transitive dev.blastwall.core;
  requires transitive java.sql;

  exports dev.blastwall.jdbc;
}
