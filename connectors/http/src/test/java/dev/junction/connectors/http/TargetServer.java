package dev.junction.connectors.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** A real HTTP target on 127.0.0.1 and a free port, for sink tests: records each request and answers as scripted. */
final class TargetServer implements AutoCloseable {
    static {
        // The JDK server writes headers and body separately; with Nagle on, each response waits for a delayed ACK (~40ms).
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** One request as the target saw it; {@code clientPort} tells the connections apart. */
    record Seen(String method, String path, Map<String, List<String>> headers, String body, int clientPort) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    /** What the target answers; {@code stall} holds the answer until the server closes. */
    record Answer(int status, Map<String, String> headers, String body, boolean stall) {
        static Answer of(int status, String body) { return new Answer(status, Map.of(), body, false); }
        Answer withHeader(String name, String value) {
            Map<String, String> more = new java.util.HashMap<>(headers);
            more.put(name, value);
            return new Answer(status, more, body, stall);
        }
    }

    private final HttpServer server;
    /** The prefix of the server's thread names. */
    static final String THREADS = "target-server";
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> new Thread(r, THREADS));
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private volatile Answer answer = Answer.of(200, "{\"ok\":true}");

    TargetServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor); // a stalled handler must not block the others
        server.createContext("/", this::handle);
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    void answer(Answer next) {
        answer = next;
    }

    List<Seen> seen() {
        return seen;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders()), body,
                exchange.getRemoteAddress().getPort()));
        Answer current = answer;
        if (current.stall()) {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] bytes = current.body().getBytes(StandardCharsets.UTF_8);
        current.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(current.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
