package dev.junction.server.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * A real HTTP target for tests: it records every request per idempotency key and applies each key's effect once, as a target
 * that honours {@code Idempotency-Key} does. What it answers is up to the test ({@link #respondWith}).
 */
public final class RecordingTarget implements AutoCloseable {
    static {
        // Without it the JDK server's separate header and body writes wait ~40 ms on Nagle + delayed ACK per response.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> successes = new ConcurrentHashMap<>();
    private final Set<String> applied = ConcurrentHashMap.newKeySet();
    private final Map<String, Set<String>> bodies = new ConcurrentHashMap<>();
    private final Map<String, String> lastBodies = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> messageIds = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private final Map<String, java.util.List<String>> traceparents = new ConcurrentHashMap<>();
    private volatile BiFunction<String, Integer, Integer> status = (key, attempt) -> 200;
    private volatile long delayMillis;
    private volatile String retryAfter;
    private final java.util.concurrent.ConcurrentLinkedQueue<Long> arrivals = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.ConcurrentLinkedQueue<Answer> answers = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final Map<String, Long> firstSuccessAt = new ConcurrentHashMap<>();
    private final AtomicInteger concurrent = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();

    public RecordingTarget() throws IOException {
        this(16);
    }

    /** A target answering up to {@code threads} requests at once (each {@link #delay} holds one). */
    public RecordingTarget(int threads) throws IOException {
        executor = Executors.newFixedThreadPool(threads);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Decides the status of each request from its key and the how-many-th request for that key it is (1-based). */
    public RecordingTarget respondWith(BiFunction<String, Integer, Integer> status) {
        this.status = status;
        return this;
    }

    public RecordingTarget delay(long millis) {
        this.delayMillis = millis;
        return this;
    }

    /** Adds {@code Retry-After: value} to every 429 and 503 answer; null: none. */
    public RecordingTarget retryAfter(String value) {
        this.retryAfter = value;
        return this;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            arrivals.add(System.currentTimeMillis());
            int now = concurrent.incrementAndGet();
            maxConcurrent.accumulateAndGet(now, Math::max);
            try {
                handleCounted(exchange);
            } finally {
                concurrent.decrementAndGet();
            }
        }
    }

    private void handleCounted(HttpExchange exchange) throws IOException {
        try {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            String traceparent = exchange.getRequestHeaders().getFirst("traceparent");
            if (key != null) {
                traceparents.computeIfAbsent(key, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(String.valueOf(traceparent));
            }
            if (delayMillis > 0) {
                Thread.sleep(delayMillis);
            }
            total.incrementAndGet();
            if (key == null) {
                respond(exchange, 400, "{\"error\":\"no Idempotency-Key\"}");
                return;
            }
            int n = requests.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            bodies.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(new String(body, StandardCharsets.UTF_8));
            lastBodies.put(key, new String(body, StandardCharsets.UTF_8));
            String messageId = exchange.getRequestHeaders().getFirst("X-Junction-Message-Id");
            messageIds.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(messageId == null ? "" : messageId);
            int code = status.apply(key, n);
            if (code >= 200 && code < 300) {
                successes.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                applied.add(key); // the effect: applied once per key, however often the key is delivered
                firstSuccessAt.putIfAbsent(key, System.currentTimeMillis());
            }
            if ((code == 429 || code == 503) && retryAfter != null) {
                exchange.getResponseHeaders().add("Retry-After", retryAfter);
            }
            answers.add(new Answer(System.currentTimeMillis(), key, code));
            respond(exchange, code, code < 300 ? "{\"ok\":true}" : "{\"error\":\"status " + code + "\"}");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void respond(HttpExchange exchange, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Requests received for {@code key}, successful or not. */
    public int requests(String key) {
        AtomicInteger n = requests.get(key);
        return n == null ? 0 : n.get();
    }

    /** Successful (2xx) deliveries of {@code key}: more than 1 means it was delivered again, which the key makes harmless. */
    public int successes(String key) {
        AtomicInteger n = successes.get(key);
        return n == null ? 0 : n.get();
    }

    /** The keys whose effect was applied (once each). */
    public Set<String> applied() {
        return Set.copyOf(applied);
    }

    /** The distinct bodies received for {@code key}: one, if every attempt carried the same message. */
    public Set<String> bodies(String key) {
        return bodies.getOrDefault(key, Set.of());
    }

    /**
     * The distinct Junction message ids ({@code X-Junction-Message-Id}) that arrived with {@code key}. One: every delivery of the
     * key was the same accepted message. Two or more: the inbox accepted the key twice, a duplicate no target can tell apart.
     */
    public Set<String> messageIds(String key) {
        return messageIds.getOrDefault(key, Set.of());
    }

    /** When each request arrived (epoch ms), in arrival order. */
    public java.util.List<Long> arrivals() {
        return java.util.List.copyOf(arrivals);
    }

    /** One answer the target gave: when (epoch ms), to which key, with which status. */
    public record Answer(long at, String key, int status) {}

    /** Every answer to a request that carried a key, in order. */
    public java.util.List<Answer> answers() {
        return java.util.List.copyOf(answers);
    }

    /** When {@code key} was first applied (epoch ms), or null. */
    public Long firstSuccessAt(String key) {
        return firstSuccessAt.get(key);
    }

    /** The most requests it was handling at once. */
    public int maxConcurrent() {
        return maxConcurrent.get();
    }

    /** The body of the latest request with {@code key}, or null. */
    public String lastBody(String key) {
        return lastBodies.get(key);
    }

    /** Requests whose key starts with {@code prefix}. */
    public int totalRequestsFor(String prefix) {
        return requests.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToInt(e -> e.getValue().get()).sum();
    }

    /** The traceparent header of each request for {@code key}, in order ("null" when absent). */
    public java.util.List<String> traceparents(String key) {
        return java.util.List.copyOf(traceparents.getOrDefault(key, java.util.List.of()));
    }

    public int totalRequests() {
        return total.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
