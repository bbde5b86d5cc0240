package dev.junction.server.chaos;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import dev.junction.connectors.api.KeyRule;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Plays the API a {@code poll} source reads: a stand-in on loopback that serves each driven poll integration the items put in
 * so far, at {@code /poll/<integration>} (the source's {@code path} is pointed there, its query kept), the way its settings
 * expect them: the array at {@code items}, only those at or after the {@code watermark} parameter (each item is given a
 * rising value at {@code watermark.from}), paged by page number, offset, a next link in the body or a Link header. An item
 * stays served (a real API keeps its records), so every poll without a watermark reads everything again, which the inbox
 * answers as duplicates. The source's {@code every} is cut to {@link #EVERY} at most, so a run of seconds sees many polls.
 */
final class PollApi implements Feed {
    static final Duration EVERY = Duration.ofMillis(200);
    /** The page size when paging by next link (the settings name none). */
    private static final int LINK_PAGE = 100;
    private static final String FROM = "chaos-from";
    private static final Duration TAKE_TIMEOUT = Duration.ofSeconds(30);
    private static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final Map<String, List<JsonNode>> items = new ConcurrentHashMap<>();
    private final Map<String, JsonNode> byKey = new ConcurrentHashMap<>();
    private final Set<String> served = ConcurrentHashMap.newKeySet();
    private final Map<String, Driven> driven = new ConcurrentHashMap<>();
    private final AtomicLong rising = new AtomicLong(System.currentTimeMillis());
    private final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "chaos-poll-api");
        t.setDaemon(true);
        return t;
    });
    private final HttpServer server;

    PollApi() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("the stand-in API for poll sources cannot listen on 127.0.0.1", e);
        }
        server.createContext("/poll/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    private String url(Driven d) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/poll/" + URLEncoder.encode(d.integration(), StandardCharsets.UTF_8);
    }

    @Override
    public Config adjust(Config all, Driven d) {
        driven.put(d.integration(), d);
        String path = d.source().getString("path");
        int query = path.indexOf('?');
        String at = "junction.integrations." + com.typesafe.config.ConfigUtil.joinPath(d.integration()) + ".source.poll.";
        Config c = all.withValue(at + "path", ConfigValueFactory.fromAnyRef(url(d) + (query >= 0 ? path.substring(query) : "")));
        if (d.source().getDuration("every").compareTo(EVERY) > 0) {
            c = c.withValue(at + "every", ConfigValueFactory.fromAnyRef(EVERY.toMillis() + "ms"));
        }
        return c;
    }

    @Override
    public CompletableFuture<Sent> put(Driven d, Inputs.Message message, String kind) {
        long sentAt = System.currentTimeMillis();
        JsonNode item = byKey.computeIfAbsent(d.integration() + " " + message.key(), k -> withWatermark(d, message.body()));
        items.computeIfAbsent(d.integration(), k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(item);
        return CompletableFuture.completedFuture(Feed.putIn(d, message, kind, sentAt, "an item at GET " + url(d)));
    }

    /** The item with a rising value at the watermark field: a number if the sample has one there, else ISO-8601 text. */
    private JsonNode withWatermark(Driven d, JsonNode body) {
        if (!d.source().hasPath("watermark") || !(body instanceof ObjectNode)) {
            return body;
        }
        JsonPointer from = JsonPointer.compile(d.source().getString("watermark.from"));
        long value = rising.incrementAndGet();
        JsonNode copy = body.deepCopy();
        ObjectNode parent = parent((ObjectNode) copy, from);
        if (body.at(from).isNumber()) {
            parent.put(from.last().getMatchingProperty(), value);
        } else {
            parent.put(from.last().getMatchingProperty(), ISO_MILLIS.format(Instant.ofEpochMilli(value)));
        }
        return copy;
    }

    private static ObjectNode parent(ObjectNode root, JsonPointer pointer) {
        ObjectNode at = root;
        for (JsonPointer p = pointer; p.tail() != null && !p.tail().matches(); p = p.tail()) {
            String name = p.getMatchingProperty();
            if (!(at.get(name) instanceof ObjectNode)) {
                at.set(name, JsonNodeFactory.instance.objectNode());
            }
            at = (ObjectNode) at.get(name);
        }
        return at;
    }

    @Override
    public CompletableFuture<Void> whenTaken(Driven d, Inputs.Message message) {
        return whenServed(d.integration() + " " + message.key(), System.nanoTime() + TAKE_TIMEOUT.toNanos());
    }

    private CompletableFuture<Void> whenServed(String key, long deadline) {
        if (served.contains(key) || System.nanoTime() > deadline) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS))
                .thenCompose(x -> whenServed(key, deadline));
    }

    @Override
    public String describe(Driven d) {
        return "items served by a stand-in API at " + url(d) + " (polled every " + Math.min(d.source().getDuration("every").toMillis(),
                EVERY.toMillis()) + " ms)";
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String integration = URLDecoder.decode(exchange.getRequestURI().getRawPath().substring("/poll/".length()), StandardCharsets.UTF_8);
            Driven d = driven.get(integration);
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            if (d == null || !exchange.getRequestMethod().equals("GET")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            List<JsonNode> visible = visible(d, query);
            Config s = d.source();
            int from;
            int size;
            String next = null;
            if (s.hasPath("page-number")) {
                size = number(query, s.hasPath("page-number.size-param") ? s.getString("page-number.size-param") : null, s.getInt("page-number.size"));
                from = (number(query, s.getString("page-number.param"), s.getInt("page-number.first")) - s.getInt("page-number.first")) * size;
            } else if (s.hasPath("offset")) {
                size = number(query, s.hasPath("offset.limit-param") ? s.getString("offset.limit-param") : null, s.getInt("offset.limit"));
                from = number(query, s.getString("offset.param"), 0);
            } else if (s.hasPath("next-page")) {
                size = LINK_PAGE;
                from = number(query, FROM, 0);
                if (from + size < visible.size()) {
                    Map<String, String> nextQuery = new LinkedHashMap<>(query);
                    nextQuery.put(FROM, Integer.toString(from + size));
                    next = url(d) + "?" + String.join("&", nextQuery.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                            + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).toList());
                }
            } else {
                size = Integer.MAX_VALUE;
                from = 0;
            }
            ArrayNode page = JsonNodeFactory.instance.arrayNode();
            for (int i = Math.max(0, from); i < visible.size() && i - from < size; i++) {
                page.add(visible.get(i));
                served.add(integration + " " + visible.get(i).at(((KeyRule.Json) d.key()).pointer()).asText());
            }
            String linkRule = s.hasPath("next-page") ? s.getString("next-page") : "";
            if (next != null && linkRule.equals("link-header")) {
                exchange.getResponseHeaders().add("Link", "<" + next + ">; rel=\"next\"");
            }
            JsonNode body = wrap(page, s.getString("items"), linkRule.startsWith("json:") ? linkRule.substring(5) : null, next);
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** The items put in for {@code d}, in order; with a watermark only those at or after the one asked for. */
    private List<JsonNode> visible(Driven d, Map<String, String> query) {
        List<JsonNode> all;
        List<JsonNode> list = items.getOrDefault(d.integration(), List.of());
        synchronized (list) {
            all = new ArrayList<>(list);
        }
        if (!d.source().hasPath("watermark") || !query.containsKey(d.source().getString("watermark.param"))) {
            return all;
        }
        String since = query.get(d.source().getString("watermark.param"));
        JsonPointer from = JsonPointer.compile(d.source().getString("watermark.from"));
        return all.stream().filter(item -> item.at(from).isValueNode() && compare(item.at(from).asText(), since) >= 0).toList();
    }

    /** As the poll source compares watermarks: numbers as numbers, anything else as text. */
    private static int compare(String a, String b) {
        try {
            return new BigDecimal(a).compareTo(new BigDecimal(b));
        } catch (NumberFormatException e) {
            return a.compareTo(b);
        }
    }

    private static JsonNode wrap(ArrayNode page, String items, String linkPointer, String next) {
        if (items.isEmpty()) {
            return page;
        }
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        JsonPointer at = JsonPointer.compile(items);
        parent(root, at).set(at.last().getMatchingProperty(), page);
        if (linkPointer != null && !linkPointer.isEmpty()) {
            JsonPointer link = JsonPointer.compile(linkPointer);
            parent(root, link).put(link.last().getMatchingProperty(), next);
        }
        return root;
    }

    private static int number(Map<String, String> query, String param, int otherwise) {
        try {
            return param != null && query.containsKey(param) ? Integer.parseInt(query.get(param)) : otherwise;
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    query.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return query;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
