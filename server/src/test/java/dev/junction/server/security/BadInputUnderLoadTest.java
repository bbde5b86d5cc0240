package dev.junction.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.testing.Await;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input under load: 1,000 malformed, oversized, wrongly typed, keyless and badly signed requests mixed into as many valid
 * ones, against a webhook that verifies Standard Webhooks signatures. Every bad one is answered 4xx with a problem, none is
 * stored, none is answered 5xx; the valid ones are all delivered; heap and threads, after a GC, are where valid load alone left
 * them. The valid requests' p99 is measured alone and mixed, at the same pace, and printed (on two shared cores it is a figure,
 * not an assertion). {@code -Djunction.badinput.count} sets how many of each (1,000 here).
 */
class BadInputUnderLoadTest {
    private static final String PATH = "/webhooks/webshop/orders";
    private static final int COUNT = Integer.getInteger("junction.badinput.count", 1000);
    private static final long PERIOD_MILLIS = 20;
    private static final String SECRET = VerifiedWebhookTest.SECRET;

    @TempDir
    Path dir;

    private final ExecutorService clientThreads = Executors.newFixedThreadPool(4);
    private final HttpClient client = HttpClient.newBuilder().executor(clientThreads).connectTimeout(Duration.ofSeconds(15)).build();

    /** One answer: to which key, of which kind, with which status and content type, after how long. */
    private record Answer(String key, boolean bad, int status, String contentType, long nanos) {}

    @Test
    void aThousandBadRequestsInValidLoadAreRefusedWith4xxAndNoneIsStored() throws Exception {
        try (RecordingTarget target = new RecordingTarget(8)) {
            String config = TestConfig.webhookToHttp(target.baseUrl(), "").replace(
                    "webhook { path = \"webshop/orders\", max-body-size = 64k }",
                    "webhook { path = \"webshop/orders\", max-body-size = 64k, idempotency-key = \"header:webhook-id\", "
                            + "verify { scheme = standard-webhooks, secrets = [ \"" + SECRET + "\" ], tolerance = 5m } }");
            try (RunningServer server = RunningServer.start(TestConfig.write(dir, config), dir.resolve("data"), Map.of())) {
                URI uri = URI.create(server.url(PATH));
                run(keys("warm", 200).stream().map(k -> http(valid(uri, k))).toList(), PERIOD_MILLIS);
                long[] start = footprint();

                List<Answer> alone = run(keys("alone", COUNT).stream().map(k -> http(valid(uri, k))).toList(), PERIOD_MILLIS);
                long[] afterAlone = footprint();

                List<Supplier<CompletableFuture<Answer>>> mixed = new ArrayList<>();
                List<String> badKeys = keys("bad", COUNT);
                List<String> validKeys = keys("mixed", COUNT);
                for (int i = 0; i < COUNT; i++) {
                    mixed.add(http(valid(uri, validKeys.get(i))));
                    mixed.add(bad(uri, badKeys.get(i), i));
                }
                // Twice the requests at twice the pace: the valid ones come as often as they did alone.
                List<Answer> together = run(mixed, PERIOD_MILLIS / 2);
                long[] afterMixed = footprint();

                List<Answer> bad = together.stream().filter(Answer::bad).toList();
                List<Answer> validMixed = together.stream().filter(a -> !a.bad()).toList();
                Map<Integer, Long> badStatuses = statuses(bad);
                List<Answer> validAnswers = new ArrayList<>(alone);
                validAnswers.addAll(validMixed);
                Map<Integer, Long> validStatuses = statuses(validAnswers);
                Set<String> acknowledged = ConcurrentHashMap.newKeySet();
                validAnswers.stream().filter(a -> a.status() == 202).forEach(a -> acknowledged.add(a.key()));
                Await.until(Duration.ofSeconds(60), () -> target.applied().containsAll(acknowledged),
                        () -> acknowledged.stream().filter(k -> !target.applied().contains(k)).count() + " valid messages not delivered");
                Await.until(Duration.ofSeconds(30), () -> storedKeys(server, "alone-") + storedKeys(server, "mixed-") >= acknowledged.size(),
                        () -> "valid keys not stored yet");
                int badStored = storedKeys(server, "bad-");
                System.out.printf("bad input: %d bad requests answered %s, %d of them problem+json, %d stored; valid answered %s;"
                        + " valid p99 %.1f ms alone, %.1f ms mixed with the bad ones (same pace); heap after GC %d -> %d -> %d MB,"
                        + " threads %d -> %d -> %d%n", bad.size(), badStatuses,
                        bad.stream().filter(a -> a.contentType().startsWith("application/problem+json")).count(), badStored,
                        validStatuses, p99(alone), p99(validMixed), start[0] >> 20, afterAlone[0] >> 20, afterMixed[0] >> 20,
                        start[1], afterAlone[1], afterMixed[1]);

                assertEquals(COUNT, bad.stream().filter(a -> a.status() >= 400 && a.status() < 500).count(), badStatuses::toString);
                assertTrue(bad.stream().allMatch(a -> a.contentType().startsWith("application/problem+json")), "every refusal is a problem");
                assertEquals(0, validAnswers.stream().filter(a -> a.status() >= 500 && a.status() != 503).count(), validStatuses::toString);
                assertEquals(2 * COUNT, acknowledged.size() + validStatuses.getOrDefault(503, 0L), validStatuses::toString);
                assertEquals(0, badStored, "bad requests stored");
                assertTrue(target.applied().stream().noneMatch(k -> k.startsWith("bad-")), "a bad request was delivered");
                // Flat: what the bad half added, next to what the same valid load alone left.
                assertTrue(afterMixed[0] <= afterAlone[0] + (32L << 20), "heap after GC grew from " + (afterAlone[0] >> 20)
                        + " to " + (afterMixed[0] >> 20) + " MB");
                assertTrue(afterMixed[1] <= afterAlone[1] + 8, "threads grew from " + afterAlone[1] + " to " + afterMixed[1]);
            }
        } finally {
            clientThreads.shutdown();
        }
    }

    /** One of five kinds of bad request, by {@code i}: each would be accepted but for the one thing wrong with it. */
    private Supplier<CompletableFuture<Answer>> bad(URI uri, String key, int i) {
        long now = System.currentTimeMillis() / 1000;
        String order = TestConfig.order(key);
        if (i % 5 == 1) {
            return () -> CompletableFuture.supplyAsync(() -> oversized(uri, key, now, order), clientThreads);
        }
        return http(switch (i % 5) {
            case 0 -> signed(uri, key, now, "{\"id\": \"" + key + "\", ", "application/json"); // malformed JSON
            case 2 -> signed(uri, key, now, order, "text/plain"); // another media type
            case 3 -> HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                    .header("webhook-timestamp", Long.toString(now))
                    .header("webhook-signature", VerifiedWebhookTest.sign(SECRET, key, now, order))
                    .POST(HttpRequest.BodyPublishers.ofString(order)).build(); // no key (webhook-id)
            default -> HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                    .header("webhook-id", key).header("webhook-timestamp", Long.toString(now))
                    .header("webhook-signature", VerifiedWebhookTest.sign(VerifiedWebhookTest.WRONG_SECRET, key, now, order))
                    .POST(HttpRequest.BodyPublishers.ofString(order)).build(); // signed with a secret the server does not know
        });
    }

    /**
     * A body over max-body-size, announced by its Content-Length: the server answers on the headers and closes the connection
     * without reading the body. Sent over a socket of its own, the body after the answer: the JDK client, still writing the body
     * when the connection closes, reports a broken pipe instead of the answer (and with Expect: 100-continue it may wait forever).
     */
    private static Answer oversized(URI uri, String key, long now, String order) {
        String body = order.replaceFirst("\\{", "{\"padding\":\"" + "x".repeat(70_000) + "\",");
        long sent = System.nanoTime();
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(20_000);
            String head = "POST " + uri.getPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + "\r\nContent-Type: application/json\r\n"
                    + "webhook-id: " + key + "\r\nwebhook-timestamp: " + now + "\r\nwebhook-signature: "
                    + VerifiedWebhookTest.sign(SECRET, key, now, body) + "\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            int status = Integer.parseInt(in.readLine().split(" ")[1]);
            String contentType = "";
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-type:")) {
                    contentType = line.substring("content-type:".length()).trim();
                }
            }
            return new Answer(key, true, status, contentType, System.nanoTime() - sent);
        } catch (IOException e) {
            throw new UncheckedIOException(key + " got no answer", e);
        }
    }

    /** Sends {@code request} when called; its answer, timed. */
    private Supplier<CompletableFuture<Answer>> http(HttpRequest request) {
        String key = request.headers().firstValue("webhook-id").orElse("bad-keyless");
        boolean isBad = key.startsWith("bad-");
        return () -> {
            long sent = System.nanoTime();
            return client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> new Answer(key, isBad,
                    r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), System.nanoTime() - sent));
        };
    }

    private static HttpRequest valid(URI uri, String key) {
        return signed(uri, key, System.currentTimeMillis() / 1000, TestConfig.order(key), "application/json");
    }

    private static HttpRequest signed(URI uri, String key, long now, String body, String contentType) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).header("Content-Type", contentType)
                .header("webhook-id", key).header("webhook-timestamp", Long.toString(now))
                .header("webhook-signature", VerifiedWebhookTest.sign(SECRET, key, now, body))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static List<String> keys(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> prefix + "-" + i).toList();
    }

    /** Sends the requests one every period, without waiting for answers, and returns every answer once all are in. */
    private static List<Answer> run(List<Supplier<CompletableFuture<Answer>>> requests, long periodMillis) throws Exception {
        List<CompletableFuture<Answer>> answers = new ArrayList<>();
        long next = System.nanoTime();
        for (Supplier<CompletableFuture<Answer>> request : requests) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            next += periodMillis * 1_000_000;
            answers.add(request.get());
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).join();
        return answers.stream().map(CompletableFuture::join).toList();
    }

    private static Map<Integer, Long> statuses(List<Answer> answers) {
        Map<Integer, Long> counts = new TreeMap<>();
        answers.forEach(a -> counts.merge(a.status(), 1L, Long::sum));
        return counts;
    }

    private static double p99(List<Answer> answers) {
        long[] nanos = answers.stream().mapToLong(Answer::nanos).sorted().toArray();
        return nanos[(int) Math.ceil(nanos.length * 0.99) - 1] / 1e6;
    }

    /** Used heap after a full GC, and live threads. */
    private static long[] footprint() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        Runtime runtime = Runtime.getRuntime();
        return new long[] {runtime.totalMemory() - runtime.freeMemory(), ManagementFactory.getThreadMXBean().getThreadCount()};
    }

    private static int storedKeys(RunningServer server, String prefix) {
        try (var c = DriverManager.getConnection(server.settings.persistence().url(), server.settings.persistence().user(),
                server.settings.persistence().password());
             var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM junction_inbox_keys WHERE idempotency_key LIKE '" + prefix + "%'")) {
            rs.next();
            return rs.getInt(1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
