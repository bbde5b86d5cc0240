package dev.junction.server.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.junction.server.config.PersistenceSettings;
import dev.junction.server.testing.PostgresDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Three nodes starting at once on a fresh PostgreSQL database all create (or find) the schema; none fails on the race. */
class JournalSchemaIT {
    @Test
    void nodesStartingTogetherTakeTurnsWithTheDdl() throws Exception {
        ExecutorService nodes = Executors.newFixedThreadPool(3);
        try {
            for (int round = 0; round < 5; round++) {
                try (PostgresDatabase db = PostgresDatabase.create()) {
                    PersistenceSettings settings = new PersistenceSettings("postgres", db.url(), PostgresDatabase.USER, "", 4,
                            Duration.ofSeconds(2), true);
                    List<Future<?>> starts = new ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        starts.add(nodes.submit(() -> {
                            JournalSchema.ensure(settings);
                            return null;
                        }));
                    }
                    for (Future<?> start : starts) {
                        start.get(); // throws if a node's DDL failed
                    }
                    try (Connection c = DriverManager.getConnection(db.url(), PostgresDatabase.USER, "");
                         ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM event_journal")) {
                        rs.next();
                        assertEquals(0, rs.getInt(1));
                    }
                }
            }
        } finally {
            nodes.shutdownNow();
        }
    }
}
