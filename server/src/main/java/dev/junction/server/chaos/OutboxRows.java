package dev.junction.server.chaos;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Plays the application that writes an {@code outbox} source's table, on PostgreSQL: creates a copy of the user's table next
 * to it ({@code <table>_chaos_<run>}, {@code LIKE} the original with its defaults, constraints and indexes, empty), points the
 * source at the copy and inserts each message there as one row: an id of its own (a rising number, a UUID or text, by the
 * column's type, so the user's sequence is not drawn from), the body as the payload, the key in the key column when the rule
 * is {@code column:<name>}. The user's table is only read for its shape; the copy is dropped on {@link #close}. The source's
 * {@code every} is cut to {@link PollApi#EVERY} at most.
 */
final class OutboxRows implements Feed {
    private final String run = Long.toString(System.currentTimeMillis(), 36);
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    private final Map<String, String> inserts = new ConcurrentHashMap<>();
    private final Map<String, String> tables = new ConcurrentHashMap<>();
    private final Map<String, Boolean> keyed = new ConcurrentHashMap<>();
    private final Map<String, Integer> idTypes = new ConcurrentHashMap<>();
    private final Map<String, Integer> payloadTypes = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    private String table(Driven d) {
        return d.source().getString("table") + "_chaos_" + run;
    }

    private static String quote(String name) {
        return Arrays.stream(name.split("\\.")).map(part -> "\"" + part.replace("\"", "\"\"") + "\"").collect(Collectors.joining("."));
    }

    /** Creates the run's copy of the table, and learns the types of its id and payload columns. */
    @Override
    public void open(Driven d) throws UsageException {
        Config s = d.source();
        Config system = d.system();
        try {
            Connection c = DriverManager.getConnection(system.getString("url"), system.hasPath("user") ? system.getString("user") : null,
                    system.hasPath("password") ? system.getString("password") : null);
            connections.put(d.integration(), c);
            tables.put(d.integration(), table(d));
            try (Statement create = c.createStatement()) {
                create.execute("CREATE TABLE " + quote(table(d)) + " (LIKE " + quote(s.getString("table"))
                        + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)");
            }
            String keyColumn = s.getString("idempotency-key").startsWith("column:") ? s.getString("idempotency-key").substring(7) : null;
            try (Statement shape = c.createStatement();
                 ResultSet rs = shape.executeQuery("SELECT " + quote(s.getString("id-column")) + ", " + quote(s.getString("payload"))
                         + " FROM " + quote(table(d)) + " WHERE 1 = 0")) {
                ResultSetMetaData meta = rs.getMetaData();
                idTypes.put(d.integration(), meta.getColumnType(1) == Types.OTHER && meta.getColumnTypeName(1).equals("uuid") ? Types.OTHER
                        : meta.getColumnType(1));
                payloadTypes.put(d.integration(), meta.getColumnType(2));
            }
            keyed.put(d.integration(), keyColumn != null);
            inserts.put(d.integration(), "INSERT INTO " + quote(table(d)) + " (" + quote(s.getString("id-column")) + ", "
                    + quote(s.getString("payload")) + (keyColumn == null ? "" : ", " + quote(keyColumn)) + ") VALUES (?, ?"
                    + (keyColumn == null ? "" : ", ?") + ")");
        } catch (SQLException e) {
            throw new UsageException("integration " + d.integration() + ": cannot create the run's copy " + table(d) + " of its outbox table: "
                    + e.getMessage());
        }
    }

    @Override
    public Config adjust(Config all, Driven d) {
        String at = "junction.integrations." + com.typesafe.config.ConfigUtil.joinPath(d.integration()) + ".source.outbox.";
        Config c = all.withValue(at + "table", ConfigValueFactory.fromAnyRef(table(d)));
        if (d.source().getDuration("every").compareTo(PollApi.EVERY) > 0) {
            c = c.withValue(at + "every", ConfigValueFactory.fromAnyRef(PollApi.EVERY.toMillis() + "ms"));
        }
        return c;
    }

    @Override
    public CompletableFuture<Sent> put(Driven d, Inputs.Message message, String kind) {
        long sentAt = System.currentTimeMillis();
        String where = "a row in " + table(d);
        Connection c = connections.get(d.integration());
        try {
            synchronized (c) {
                try (PreparedStatement insert = c.prepareStatement(inserts.get(d.integration()))) {
                    long id = ids.incrementAndGet();
                    switch (idTypes.get(d.integration())) {
                        case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.NUMERIC, Types.DECIMAL -> insert.setLong(1, id);
                        case Types.OTHER -> insert.setObject(1, java.util.UUID.randomUUID());
                        default -> insert.setString(1, run + "-" + id);
                    }
                    String body = message.body().toString();
                    switch (payloadTypes.get(d.integration())) {
                        case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> insert.setBytes(2, body.getBytes(StandardCharsets.UTF_8));
                        case Types.OTHER -> insert.setObject(2, body, Types.OTHER);
                        default -> insert.setString(2, body);
                    }
                    if (keyed.get(d.integration())) {
                        insert.setString(3, message.key());
                    }
                    insert.executeUpdate();
                }
            }
            return CompletableFuture.completedFuture(Feed.putIn(d, message, kind, sentAt, where));
        } catch (SQLException e) {
            return CompletableFuture.completedFuture(Feed.notPutIn(d, message, kind, sentAt, where, e));
        }
    }

    @Override
    public String describe(Driven d) {
        return "rows inserted into the run's copy " + table(d) + " of " + d.source().getString("table") + " (dropped after the run)";
    }

    @Override
    public void close() {
        connections.forEach((integration, c) -> {
            try (c; Statement drop = c.createStatement()) {
                drop.execute("DROP TABLE IF EXISTS " + quote(tables.get(integration)));
            } catch (SQLException e) {
                // the copy is left, named after the run: nothing left to report it to
            }
        });
    }
}
