package dev.junction.server.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.testing.Await;
import dev.junction.server.testing.Effects;
import dev.junction.server.testing.PostgresDatabase;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's database turns read-only under load ({@code default_transaction_read_only}, as after a failover to a replica, or
 * an operator guarding a full disk): the connections stay up but every write fails. While it lasts every webhook is answered 503
 * with Retry-After, never 202; once the database is writable again the node accepts without a restart, and every message it
 * acknowledged is in the journal and delivered once. {@code -Djunction.readonly.seconds} sets how long it lasts (5 s here).
 */
class JournalReadOnlyIT {
    private static final String PATH = "/webhooks/webshop/orders";
    private static final int READ_ONLY_SECONDS = Integer.getInteger("junction.readonly.seconds", 5);
    private static final Pattern KEY = Pattern.compile("ro-[a-z]+-[0-9]{5}");

    @TempDir
    Path dir;

    @Test
    void answers503NeverA202WhileTheJournalIsReadOnlyAndRecoversAfter() throws Exception {
        try (PostgresDatabase db = PostgresDatabase.create(); RecordingTarget target = new RecordingTarget()) {
            Path config = TestConfig.write(dir, TestConfig.webhookToHttp(target.baseUrl(),
                    "resilience.retry { max-attempts = 100, min-backoff = 50ms, max-backoff = 500ms }"));
            Map<String, String> env = Map.of("JUNCTION_DB_URL", db.url(), "JUNCTION_DB_USER", PostgresDatabase.USER,
                    "JUNCTION_PARTITIONS", "4");
            try (RunningServer server = RunningServer.start(config, dir.resolve("data"), env)) {
                Set<String> acknowledged = ConcurrentHashMap.newKeySet();
                for (int i = 0; i < 20; i++) {
                    String key = "ro-before-%05d".formatted(i);
                    server.postAccepted(PATH, key, TestConfig.order(key));
                    acknowledged.add(key);
                }

                db.readOnly(true);
                long from = System.currentTimeMillis();
                Map<Integer, Integer> during = new TreeMap<>();
                List<String> refused = new ArrayList<>();
                List<String> withoutRetryAfter = new ArrayList<>();
                ExecutorService senders = Executors.newFixedThreadPool(8);
                try {
                    int n = 0;
                    while (System.currentTimeMillis() - from < READ_ONLY_SECONDS * 1000L) {
                        List<Future<HttpResponse<String>>> wave = new ArrayList<>();
                        List<String> keys = new ArrayList<>();
                        for (int i = 0; i < 8; i++) {
                            String key = "ro-during-%05d".formatted(n++);
                            keys.add(key);
                            wave.add(senders.submit(() -> server.post(PATH, key, TestConfig.order(key))));
                        }
                        for (int i = 0; i < wave.size(); i++) {
                            HttpResponse<String> response = wave.get(i).get();
                            during.merge(response.statusCode(), 1, Integer::sum);
                            if (response.statusCode() == 503) {
                                refused.add(keys.get(i));
                                if (response.headers().firstValue("Retry-After").isEmpty()) {
                                    withoutRetryAfter.add(keys.get(i));
                                }
                            } else if (response.statusCode() == 202 || response.statusCode() == 200) {
                                acknowledged.add(keys.get(i));
                            }
                        }
                        Thread.sleep(250);
                    }
                } finally {
                    senders.shutdown();
                }
                db.readOnly(false);
                long writable = System.currentTimeMillis();
                assertEquals(Set.of(503), during.keySet(), () -> "while read-only every answer is 503: " + during);
                assertTrue(withoutRetryAfter.isEmpty(), () -> "503 without Retry-After: " + withoutRetryAfter);

                // Senders retry what was refused; the node takes traffic again without a restart.
                List<String> waiting = new ArrayList<>(refused);
                Await.until(Duration.ofSeconds(60), () -> {
                    waiting.removeIf(key -> {
                        try {
                            int status = server.post(PATH, key, TestConfig.order(key)).statusCode();
                            if (status == 202 || status == 200) {
                                acknowledged.add(key);
                                return true;
                            }
                            return false;
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    return waiting.isEmpty();
                }, () -> waiting.size() + " refused keys still not accepted after the database became writable");
                long recovered = System.currentTimeMillis() - writable;
                Effects.awaitDelivered(target, acknowledged, Duration.ofSeconds(60));
                Set<String> inJournal = keysInJournal(db);
                List<String> missing = acknowledged.stream().filter(k -> !inJournal.contains(k)).sorted().toList();
                Effects effects = Effects.of(acknowledged, target);
                System.out.printf("journal read-only: %.1f s read-only, answers then %s; every refused key accepted %d ms after it was"
                        + " writable again; %d acknowledged, %d of them missing from the journal; %s%n",
                        (writable - from) / 1000.0, during, recovered, acknowledged.size(), missing.size(), effects);

                assertEquals(List.of(), missing, "acknowledged but not in the journal");
                assertEquals(List.of(), effects.lost(), "acknowledged but not delivered");
                assertEquals(List.of(), effects.duplicateEffects(), "delivered as two messages");
            }
        }
    }

    /** The keys of every event in the journal: an {@code Accepted} event carries its envelope, key included. */
    private static Set<String> keysInJournal(PostgresDatabase db) throws Exception {
        Set<String> keys = ConcurrentHashMap.newKeySet();
        try (Connection c = DriverManager.getConnection(db.url(), PostgresDatabase.USER, "");
             ResultSet rs = c.createStatement().executeQuery("SELECT event_payload FROM event_journal")) {
            while (rs.next()) {
                Matcher m = KEY.matcher(new String(rs.getBytes(1), StandardCharsets.ISO_8859_1));
                while (m.find()) {
                    keys.add(m.group());
                }
            }
        }
        return keys;
    }
}
