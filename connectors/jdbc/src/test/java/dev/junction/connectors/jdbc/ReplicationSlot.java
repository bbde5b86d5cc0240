package dev.junction.connectors.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.UUID;

/**
 * A logical replication slot name of a test's own on the local PostgreSQL, dropped by {@link #close} however the test ended: a
 * slot left behind keeps WAL for ever (and keeps its database from being dropped). A slot still in use by a reader that did
 * not stop is taken from it first ({@code pg_terminate_backend}).
 */
final class ReplicationSlot implements AutoCloseable {
    final String name = "junction_cdc_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    /** The slot's confirmed flush position as a number; -1 while there is no slot or no position. */
    long confirmedFlush() throws Exception {
        try (Connection c = server(); PreparedStatement s = c.prepareStatement(
                "SELECT confirmed_flush_lsn - '0/0'::pg_lsn FROM pg_replication_slots WHERE slot_name = ?")) {
            s.setString(1, name);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() && rs.getObject(1) != null ? rs.getLong(1) : -1;
            }
        }
    }

    @Override
    public void close() throws Exception {
        drop(name);
    }

    /** Drops {@code slot} if it is there, terminating its reader first; tries for up to 10 s. */
    static void drop(String slot) throws Exception {
        Exception last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            try (Connection c = server()) {
                try (PreparedStatement s = c.prepareStatement(
                        "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = ? AND active_pid IS NOT NULL")) {
                    s.setString(1, slot);
                    s.execute();
                }
                try (PreparedStatement s = c.prepareStatement(
                        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?")) {
                    s.setString(1, slot);
                    s.execute();
                }
                return;
            } catch (Exception e) {
                last = e; // still active for a moment after its backend was told to end
                Thread.sleep(500);
            }
        }
        throw last;
    }

    private static Connection server() throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
    }
}
