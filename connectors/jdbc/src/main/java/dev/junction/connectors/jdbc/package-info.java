/** The {@code jdbc} connector: a transactional outbox source and a table sink for PostgreSQL and MariaDB. */
package dev.junction.connectors.jdbc;
