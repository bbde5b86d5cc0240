package dev.junction.server.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Asks the admin API how each accepted message ended, again and again until every one is settled or the settle timeout has
 * passed. What is still pending then is reported as lost.
 */
final class Settler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration ROUND_PAUSE = Duration.ofMillis(250);
    private final HttpClient client;
    private final URI messagesApi;

    Settler(HttpClient client, URI messagesApi) {
        this.client = client;
        this.messagesApi = messagesApi;
    }

    Map<String, Outcome> settle(Collection<String> messageIds, Duration timeout) throws InterruptedException {
        Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
        List<String> open = new ArrayList<>(messageIds);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Semaphore inFlight = new Semaphore(16);
            List<CompletableFuture<?>> asks = new ArrayList<>();
            for (String id : open) {
                inFlight.acquire();
                asks.add(ask(id).thenAccept(o -> outcomes.put(id, o)).whenComplete((x, e) -> inFlight.release()));
            }
            CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
            // a split message's elements are messages of their own: they are followed too
            List<String> elements = open.stream().map(outcomes::get).filter(o -> o != null && o.status().equals("split"))
                    .flatMap(o -> o.children().stream()).filter(child -> !outcomes.containsKey(child)).toList();
            open = java.util.stream.Stream.concat(open.stream(), elements.stream())
                    .filter(id -> !outcomes.containsKey(id) || !outcomes.get(id).settled()).distinct().toList();
            if (open.isEmpty() || System.nanoTime() > deadline) {
                return outcomes;
            }
            Thread.sleep(ROUND_PAUSE.toMillis());
        }
    }

    /**
     * What the source of an integration driven through a {@link Feed} did with each message put in: accepted (found by its
     * key; the ingest time is the message's receivedAt), refused (e.g. moved to .failed/), or, after the settle timeout,
     * neither (left as put in).
     */
    List<Sent> accepted(List<Sent> sent, Map<String, Driven> driven, Map<String, Feed> feeds, Duration timeout) throws InterruptedException {
        List<Sent> result = new ArrayList<>(sent);
        long deadline = System.nanoTime() + timeout.toNanos();
        java.util.Map<String, String> firstIds = new java.util.HashMap<>();
        while (true) {
            boolean open = false;
            for (int i = 0; i < result.size(); i++) {
                Sent s = result.get(i);
                if (s.status() != 0 || s.problem() == null || !s.problem().startsWith(Feed.PUT_IN)) {
                    continue;
                }
                String where = s.problem().substring(Feed.PUT_IN.length());
                Driven d = driven.get(s.integration());
                JsonNode view = byKey(s.integration(), s.key());
                if (view != null) {
                    String id = view.path("messageId").asText();
                    long received = java.time.Instant.parse(view.path("receivedAt").asText()).toEpochMilli();
                    boolean again = firstIds.containsKey(s.key()) && firstIds.get(s.key()).equals(id) && s.kind().equals("again");
                    firstIds.putIfAbsent(s.key(), id);
                    result.set(i, new Sent(s.integration(), s.key(), s.kind(), s.sentAt(), Math.max(0, received - s.sentAt()),
                            again ? 200 : 202, id, null));
                } else if (feeds.get(d.kind()).refused(d, where)) {
                    result.set(i, new Sent(s.integration(), s.key(), s.kind(), s.sentAt(), -1, 422, null, "moved-to-failed"));
                } else {
                    open = true;
                }
            }
            if (!open || System.nanoTime() > deadline) {
                return result;
            }
            Thread.sleep(ROUND_PAUSE.toMillis());
        }
    }

    private JsonNode byKey(String integration, String key) {
        URI uri = messagesApi.resolve("?integration=" + java.net.URLEncoder.encode(integration, java.nio.charset.StandardCharsets.UTF_8)
                + "&key=" + java.net.URLEncoder.encode(key, java.nio.charset.StandardCharsets.UTF_8));
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private CompletableFuture<Outcome> ask(String messageId) {
        HttpRequest request = HttpRequest.newBuilder(messagesApi.resolve(messageId)).timeout(Duration.ofSeconds(10)).GET().build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            if (r.statusCode() != 200) {
                return new Outcome(r.statusCode() == 404 ? "unknown" : "pending", Map.of(), List.of(), 0, List.of());
            }
            try {
                return outcome(JSON.readTree(r.body()));
            } catch (java.io.IOException e) {
                return new Outcome("pending", Map.of(), List.of(), 0, List.of());
            }
        }).exceptionally(e -> new Outcome("pending", Map.of(), List.of(), 0, List.of()));
    }

    static Outcome outcome(JsonNode view) {
        Map<String, String> targets = new java.util.LinkedHashMap<>();
        view.path("targets").fields().forEachRemaining(e -> targets.put(e.getKey(), e.getValue().asText()));
        List<String> classes = new ArrayList<>();
        int attempts = 0;
        List<String> children = new ArrayList<>();
        JsonNode deliveries = view.path("deliveries");
        if (deliveries.isArray() && !deliveries.isEmpty()) {
            deliveries.get(deliveries.size() - 1).path("children").forEach(c -> children.add(c.asText()));
            for (JsonNode t : deliveries.get(deliveries.size() - 1).path("targets")) {
                attempts = Math.max(attempts, t.path("attempts").asInt(0));
                if (t.path("status").asText().equals("dead-lettered")) {
                    classes.add(t.path("errorClass").asText("unclassified"));
                }
            }
        }
        if (view.path("status").asText().equals("dead-lettered") && classes.isEmpty()) {
            classes.add("unclassified");
        }
        return new Outcome(view.path("status").asText("pending"), targets, classes, attempts, List.copyOf(children));
    }
}
