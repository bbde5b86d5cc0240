package dev.junction.server.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A real HTTP API to poll: {@code GET /api/contacts?updated_since=<n>&limit=<n>&cursor=<updatedAt:id>} answers the contacts
 * changed at or after {@code updated_since}, oldest change first, a page at a time, with {@code paging.next} (a keyset cursor,
 * so a contact changed during a run moves behind the cursor and is read later, never skipped). Each contact is
 * {@code {id, version, revision: "<id>@<version>", updatedAt, name}}; every change takes the next value of a logical clock.
 * The test changes contacts while they are polled ({@link #change}), and can make the API answer 429 ({@link #throttleOnce}).
 */
public final class ContactsApi implements AutoCloseable {
    /** One stored contact; {@code json} is what the API answers for it. */
    private record Contact(String id, int version, long updatedAt, String json) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    /** By (updatedAt): the clock gives each change its own value. */
    private final TreeMap<Long, Contact> byTime = new TreeMap<>();
    private final Map<String, Contact> byId = new HashMap<>();
    private final ConcurrentLinkedQueue<Long> requests = new ConcurrentLinkedQueue<>();
    private long clock;
    private int added;
    private volatile long delayMillis;
    private volatile int throttleAtRequest = -1;
    private volatile int retryAfterSeconds;
    private volatile long throttledAt;

    public ContactsApi(int contacts) throws IOException {
        for (int i = 0; i < contacts; i++) {
            add();
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/api/contacts", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Adds items that cannot become messages, older than every contact: {@code noKey} without a revision, {@code notObjects} numbers. */
    public synchronized void addUnusable(int noKey, int notObjects) {
        for (int i = 0; i < noKey; i++) {
            long at = -1 - i;
            byTime.put(at, new Contact("broken-" + i, 1, at, "{\"id\":\"broken-" + i + "\",\"updatedAt\":" + at + "}"));
        }
        for (int i = 0; i < notObjects; i++) {
            long at = -1000 - i;
            byTime.put(at, new Contact("number-" + i, 1, at, Long.toString(at)));
        }
    }

    /** Holds every page answer this long (so a run takes a while). */
    public void delay(long millis) {
        this.delayMillis = millis;
    }

    /** Answers the {@code n}-th request from now with 429 and {@code Retry-After: seconds}. */
    public void throttleOnce(int n, int seconds) {
        retryAfterSeconds = seconds;
        throttleAtRequest = requests.size() + n;
    }

    /** When the 429 was answered (epoch ms); 0 before. */
    public long throttledAt() {
        return throttledAt;
    }

    /** Epoch ms of every request received. */
    public List<Long> requests() {
        return List.copyOf(requests);
    }

    /** Changes one random contact (a new version) or, one time in three, adds a new one. */
    public synchronized void change() {
        if (ThreadLocalRandom.current().nextInt(3) == 0) {
            add();
            return;
        }
        List<String> ids = new ArrayList<>(byId.keySet());
        Contact old = byId.get(ids.get(ThreadLocalRandom.current().nextInt(ids.size())));
        byTime.remove(old.updatedAt());
        put(old.id(), old.version() + 1);
    }

    /** The revision ({@code id@version}) of every contact as it is now. */
    public synchronized List<String> currentRevisions() {
        return byId.values().stream().map(c -> c.id() + "@" + c.version()).toList();
    }

    /** How many contacts there are. */
    public synchronized int size() {
        return byId.size();
    }

    private void add() {
        put("c-" + added++, 1);
    }

    private void put(String id, int version) {
        long at = ++clock;
        Contact c = new Contact(id, version, at, "{\"id\":\"" + id + "\",\"version\":" + version + ",\"revision\":\"" + id + "@" + version
                + "\",\"updatedAt\":" + at + ",\"name\":\"Contact " + id + " v" + version + "\"}");
        byTime.put(at, c);
        byId.put(id, c);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.add(System.currentTimeMillis());
            if (requests.size() == throttleAtRequest) {
                throttledAt = System.currentTimeMillis();
                exchange.getResponseHeaders().add("Retry-After", Integer.toString(retryAfterSeconds));
                exchange.sendResponseHeaders(429, -1);
                return;
            }
            if (delayMillis > 0) {
                Thread.sleep(delayMillis);
            }
            byte[] body = page(query(exchange.getRequestURI().getRawQuery())).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized String page(Map<String, String> q) {
        long since = q.containsKey("updated_since") ? Long.parseLong(q.get("updated_since")) : Long.MIN_VALUE;
        int limit = Integer.parseInt(q.getOrDefault("limit", "100"));
        long after = q.containsKey("cursor") ? Long.parseLong(q.get("cursor")) + 1 : since;
        List<Contact> page = new ArrayList<>(byTime.tailMap(Math.max(after, since), true).values());
        boolean more = page.size() > limit;
        page = page.subList(0, Math.min(limit, page.size()));
        StringBuilder json = new StringBuilder("{\"data\":[");
        for (int i = 0; i < page.size(); i++) {
            json.append(i == 0 ? "" : ",").append(page.get(i).json());
        }
        String next = more ? "\"/api/contacts?updated_since=" + (q.containsKey("updated_since") ? q.get("updated_since") : "")
                + "&limit=" + limit + "&cursor=" + page.get(page.size() - 1).updatedAt() + "\"" : "null";
        return json.append("],\"paging\":{\"next\":").append(next).append("}}").toString();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && eq < pair.length() - 1) {
                    q.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
