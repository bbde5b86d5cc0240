package dev.junction.server.chaos;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The fault-injecting stand-in for one HTTP target system, on loopback: it answers every request with what the current
 * {@link Fault} says (200 by default) and records each 2xx in the {@link Ledger} by {@code Idempotency-Key} and
 * {@code X-Junction-Message-Id}. {@link #down} closes its port (connection refused) until {@link #up} opens the same port again.
 */
final class StandIn implements AutoCloseable {
    static {
        // The JDK server otherwise writes header and body separately and waits ~40 ms on Nagle + delayed ACK per response.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** What to answer one request. */
    record Answer(int status, Duration delay, String retryAfter) {
        static final Answer OK = new Answer(200, Duration.ZERO, null);
    }

    /** Decides the answer to one request from its idempotency key. Called on the stand-in's threads. */
    interface Fault {
        Answer answer(String key);
    }

    private final String system;
    private final Ledger ledger;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "chaos-stand-in");
        t.setDaemon(true);
        return t;
    });
    private final int port;
    private volatile HttpServer server;
    private volatile Fault fault = key -> Answer.OK;

    StandIn(String system, Ledger ledger) {
        this.system = system;
        this.ledger = ledger;
        this.server = bind(0);
        this.port = server.getAddress().getPort();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    void fault(Fault fault) {
        this.fault = fault;
    }

    /** Closes the port: connections are refused until {@link #up}. */
    synchronized void down() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    /** Opens the same port again (the JDK binds with SO_REUSEADDR, so connections closing do not hold it). */
    synchronized void up() {
        if (server == null) {
            server = bind(port);
        }
    }

    private HttpServer bind(int at) {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", at), 512);
            s.createContext("/", this::handle);
            s.setExecutor(executor);
            s.start();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("the stand-in for " + system + " cannot listen on 127.0.0.1:" + at, e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            String messageId = exchange.getRequestHeaders().getFirst("X-Junction-Message-Id");
            Answer answer = key == null ? new Answer(400, Duration.ZERO, null) : fault.answer(key);
            if (!answer.delay().isZero()) {
                Thread.sleep(answer.delay().toMillis());
            }
            if (answer.status() / 100 == 2) {
                ledger.applied(system, key, messageId == null ? "" : messageId, System.currentTimeMillis());
            }
            ledger.answered(answer.status());
            if (answer.retryAfter() != null) {
                exchange.getResponseHeaders().add("Retry-After", answer.retryAfter());
            }
            byte[] body = (answer.status() / 100 == 2 ? "{\"ok\":true}" : "{\"error\":\"chaos stand-in answered " + answer.status() + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void close() {
        down();
        executor.shutdownNow();
    }
}
