package dev.junction.server.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.UUID;

/**
 * A logical replication slot name of a test's own on the local PostgreSQL, dropped by {@link #close} however the test ended (its
 * reader terminated first when one still holds it): a slot left behind keeps WAL for ever and keeps its database from being
 * dropped. Close it before the database it is in.
 */
public final class ReplicationSlots implements AutoCloseable {
    private static final String HOST = System.getenv().getOrDefault("JUNCTION_TEST_PG_HOST", "127.0.0.1:5432");

    public final String name = "junction_cdc_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    /** The slot's confirmed flush position as a number; -1 while there is none. */
    public long confirmedFlush() throws Exception {
        try (Connection c = admin(); PreparedStatement s = c.prepareStatement(
                "SELECT confirmed_flush_lsn - '0/0'::pg_lsn FROM pg_replication_slots WHERE slot_name = ?")) {
            s.setString(1, name);
            try (var rs = s.executeQuery()) {
                return rs.next() && rs.getObject(1) != null ? rs.getLong(1) : -1;
            }
        }
    }

    @Override
    public void close() throws Exception {
        Exception last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            try (Connection c = admin()) {
                try (PreparedStatement s = c.prepareStatement(
                        "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = ? AND active_pid IS NOT NULL")) {
                    s.setString(1, name);
                    s.execute();
                }
                try (PreparedStatement s = c.prepareStatement(
                        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?")) {
                    s.setString(1, name);
                    s.execute();
                }
                return;
            } catch (Exception e) {
                last = e; // still active for a moment after its reader was told to end
                Thread.sleep(500);
            }
        }
        throw last;
    }

    private static Connection admin() throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://" + HOST + "/postgres", PostgresDatabase.USER, "");
    }
}
