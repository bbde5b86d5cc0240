package dev.junction.loadtest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The target of end-to-end load runs: accepts every POST, applies each {@code Idempotency-Key} once, and prints once a second
 * how many requests and distinct keys it has seen, so delivered/s can be read off while Gatling drives ingest.
 * <pre>java -cp load-tests/target/test-classes dev.junction.loadtest.LoadTarget 9100</pre>
 */
public final class LoadTarget {
    private final Set<String> applied = ConcurrentHashMap.newKeySet();
    private final AtomicLong requests = new AtomicLong();

    public static void main(String[] args) throws IOException {
        // The JDK server writes headers and body separately; with Nagle on, each response then waits ~40 ms for the client's
        // delayed ACK, which capped this target at ~1,400 requests/s and made it, not Junction, the limit of delivery runs.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 9100;
        new LoadTarget().run(port);
    }

    private void run(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
        System.out.println("load target on 127.0.0.1:" + port);
        long previous = 0;
        while (true) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            long keys = applied.size();
            System.out.printf("%s requests=%d keys=%d keys/s=%d%n", Instant.now(), requests.get(), keys, keys - previous);
            previous = keys;
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            requests.incrementAndGet();
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            int status = key == null ? 400 : 200;
            if (key != null) {
                applied.add(key);
            }
            byte[] body = "{}".getBytes();
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
