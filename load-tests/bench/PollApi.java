// An HTTP API for load-tests/bench/poll-bench.sh to poll, JDK only (run as: java PollApi.java <port> <orders>): GET
// /api/orders?updated_since=<n>&limit=<n>&cursor=<n> answers quickstart orders changed at or after updated_since, oldest first,
// with a keyset cursor in paging.next; POST /add?n=<n> adds n more orders (the backlog the benchmark times).
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;

public class PollApi {
    private static final Object LOCK = new Object();
    private static String[] orders = new String[0];
    private static int count;

    public static void main(String[] args) throws IOException {
        add(Integer.parseInt(args[1]));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 64);
        server.createContext("/api/orders", PollApi::page);
        server.createContext("/add", exchange -> {
            add(Integer.parseInt(query(exchange).get("n")));
            respond(exchange, "{\"orders\":" + count + "}");
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    /** Order i has updatedAt i: every order is a change of its own, in the order they were added. */
    private static void add(int n) {
        synchronized (LOCK) {
            String[] more = java.util.Arrays.copyOf(orders, count + n);
            for (int i = count; i < count + n; i++) {
                more[i] = "{\"id\":\"poll-" + i + "\",\"updatedAt\":" + i + ",\"currency\":\"EUR\",\"customer\":{\"email\":\"ada@example.com\","
                        + "\"name\":\"Ada Lovelace\"},\"lines\":[{\"sku\":\"LAMP-01\",\"qty\":2,\"price\":19.5},"
                        + "{\"sku\":\"BULB-E27\",\"qty\":4,\"price\":3.25}]}";
            }
            orders = more;
            count += n;
        }
    }

    private static void page(HttpExchange exchange) throws IOException {
        Map<String, String> q = query(exchange);
        int since = q.containsKey("updated_since") ? Integer.parseInt(q.get("updated_since")) : 0;
        int limit = Integer.parseInt(q.getOrDefault("limit", "100"));
        int from = Math.max(since, q.containsKey("cursor") ? Integer.parseInt(q.get("cursor")) + 1 : 0);
        StringBuilder json = new StringBuilder("{\"data\":[");
        int to;
        synchronized (LOCK) {
            to = Math.min(count, from + limit);
            for (int i = from; i < to; i++) {
                json.append(i == from ? "" : ",").append(orders[i]);
            }
            boolean more = to < count;
            json.append("],\"paging\":{\"next\":").append(more ? "\"/api/orders?updated_since=" + since + "&limit=" + limit
                    + "&cursor=" + (to - 1) + "\"" : "null").append("}}");
        }
        respond(exchange, json.toString());
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> q = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && eq < pair.length() - 1) {
                    q.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
        }
        return q;
    }

    private static void respond(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
