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
