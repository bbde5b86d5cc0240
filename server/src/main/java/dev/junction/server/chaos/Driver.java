package dev.junction.server.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;

/**
 * Plays the source: POSTs each driven integration's messages to its webhook, or hands them to its source kind's {@link Feed},
 * at the chosen rate (each integration at that rate, side by side), and for {@code duplicates} sends a message again once its
 * first answer is in (once a feed's source has taken it). Waits for every answer.
 */
final class Driver {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Requests in flight at most: beyond, sending waits, and the achieved rate falls below the asked one. */
    private static final int MAX_IN_FLIGHT = 256;
    private final HttpClient client;
    private final URI webhooks;
    private final java.util.Map<String, Feed> feeds;

    /** {@code feeds}: the feed of each source kind other than {@code webhook}. */
    Driver(HttpClient client, URI webhooks, java.util.Map<String, Feed> feeds) {
        this.client = client;
        this.webhooks = webhooks;
        this.feeds = feeds;
    }

    List<Sent> drive(List<Driven> driven, Scenario scenario, String prefix, int perIntegration, double rate) throws InterruptedException {
        ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
        long start = System.nanoTime();
        long intervalNanos = (long) (1_000_000_000L / rate);
        for (int n = 0; n < perIntegration; n++) {
            long due = start + n * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            for (Driven d : driven) {
                Inputs.Message message = Inputs.nth(d, scenario, prefix, n);
                inFlight.acquire();
                Feed feed = feeds.get(d.kind());
                CompletableFuture<Sent> first = d.byWebhook() ? send(d, message, message.bad() ? "bad" : "valid")
                        : feed.put(d, message, message.bad() ? "bad" : "valid");
                CompletableFuture<?> done = first;
                if (Inputs.redelivered(scenario, n)) {
                    done = first.thenCompose(answer -> {
                        sent.add(answer);
                        // e.g. a directory source sees the same name again once it has taken the first file away
                        return d.byWebhook() ? send(d, message, "again")
                                : feed.whenTaken(d, message).thenCompose(x -> feed.put(d, message, "again"));
                    });
                }
                pending.add(done.whenComplete((last, e) -> {
                    inFlight.release();
                    if (last instanceof Sent s) {
                        sent.add(s);
                    }
                }));
            }
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
        return List.copyOf(sent);
    }

    private CompletableFuture<Sent> send(Driven d, Inputs.Message message, String kind) {
        HttpRequest.Builder request = HttpRequest.newBuilder(webhooks.resolve(d.webhookPath()))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(message.body().toString()));
        if (message.header() != null) {
            request.header(message.header(), message.key());
        }
        long sentAt = System.currentTimeMillis();
        long t0 = System.nanoTime();
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> answered(d, message, kind, sentAt, (System.nanoTime() - t0) / 1_000_000, r))
                .exceptionally(e -> new Sent(d.integration(), message.key(), kind, sentAt, -1, 0, null,
                        "no answer: " + (e.getCause() == null ? e : e.getCause())));
    }

    private static Sent answered(Driven d, Inputs.Message message, String kind, long sentAt, long millis, HttpResponse<String> r) {
        JsonNode body;
        try {
            body = JSON.readTree(r.body());
        } catch (java.io.IOException e) {
            body = JSON.nullNode();
        }
        String messageId = r.statusCode() < 300 && body.path("messageId").isTextual() ? body.get("messageId").asText() : null;
        String problem = r.statusCode() >= 300 ? body.path("type").asText(String.valueOf(r.statusCode())) : null;
        return new Sent(d.integration(), message.key(), kind, sentAt, millis, r.statusCode(), messageId, problem);
    }
}
