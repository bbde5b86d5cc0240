package dev.junction.server.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * Posts many webhooks as senders do: {@code concurrency} at a time, each key with its own body, a 503 (or no answer) sent
 * again with the same key after a short wait, until it is answered otherwise. Returns the final status of every key.
 */
public final class BulkSender {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private BulkSender() {}

    public static Map<String, Integer> post(String url, List<String> keys, Function<String, String> body, int concurrency) {
        Map<String, Integer> answers = new ConcurrentHashMap<>();
        Semaphore slots = new Semaphore(concurrency);
        CompletableFuture<?>[] all = new CompletableFuture<?>[keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            slots.acquireUninterruptibly();
            String key = keys.get(i);
            all[i] = send(url, key, body.apply(key), 0).whenComplete((status, failure) -> {
                answers.put(key, failure == null ? status : -1);
                slots.release();
            });
        }
        CompletableFuture.allOf(all).join();
        return answers;
    }

    private static CompletableFuture<Integer> send(String url, String key, String body, int tries) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return CLIENT.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .handle((response, failure) -> failure == null ? response.statusCode() : -1)
                .thenCompose(status -> (status == 503 || status == -1) && tries < 60
                        ? CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(250, java.util.concurrent.TimeUnit.MILLISECONDS))
                                .thenCompose(x -> send(url, key, body, tries + 1))
                        : CompletableFuture.completedFuture(status));
    }

    /** How many keys got each final status. */
    public static Map<Integer, Long> count(Map<String, Integer> answers) {
        return answers.values().stream().collect(java.util.stream.Collectors.groupingBy(s -> s, java.util.TreeMap::new,
                java.util.stream.Collectors.counting()));
    }
}
