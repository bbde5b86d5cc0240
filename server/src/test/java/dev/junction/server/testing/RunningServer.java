package dev.junction.server.testing;

import dev.junction.server.Junction;
import dev.junction.server.config.ConfigLoader;
import dev.junction.server.config.JunctionSettings;
import dev.junction.server.persistence.JournalSchema;
import dev.junction.server.plugins.ConnectorRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** A Junction node started in the test's JVM, and a client for its webhooks. */
public final class RunningServer implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Junction junction;
    public final JunctionSettings settings;

    private RunningServer(Junction junction, JunctionSettings settings) {
        this.junction = junction;
        this.settings = settings;
    }

    /** Starts a node on {@code configFile}, its H2 journal in {@code dataDir}, with extra environment {@code env}. */
    public static RunningServer start(Path configFile, Path dataDir, Map<String, String> env) throws Exception {
        return start(configFile, dataDir, env, ConnectorRegistry.load(RunningServer.class.getClassLoader()));
    }

    /** As {@link #start(Path, Path, Map)}, with the given connectors. */
    public static RunningServer start(Path configFile, Path dataDir, Map<String, String> env, ConnectorRegistry connectors) throws Exception {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.putIfAbsent("JUNCTION_DATA_DIR", dataDir.toString());
        all.putIfAbsent("JUNCTION_MGMT_PORT", "0");
        JunctionSettings settings = ConfigLoader.load(configFile, connectors, all);
        JournalSchema.ensure(settings.persistence());
        return new RunningServer(Junction.start(settings, connectors, file -> ConfigLoader.load(file, connectors, all)), settings);
    }

    public String url(String path) {
        return "http://127.0.0.1:" + junction.httpAddress().getPort() + path;
    }

    public Junction junction() {
        return junction;
    }

    /** POSTs {@code body} as JSON with an {@code Idempotency-Key} (none when {@code key} is null). */
    public HttpResponse<String> post(String path, String key, String body) throws Exception {
        return post(path, key, "application/json", body);
    }

    public HttpResponse<String> post(String path, String key, String contentType, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * POSTs as a sender that wants its message accepted: a 503 (a partition still starting on a busy machine) is sent again
     * with the same key, as the Retry-After asks, for up to 15 s. Returns the final answer; the caller checks it.
     */
    public HttpResponse<String> postUntilAnswered(String path, String key, String body) throws Exception {
        HttpResponse<String> response = post(path, key, body);
        for (int i = 0; i < 15 && response.statusCode() == 503; i++) {
            Thread.sleep(1000);
            response = post(path, key, body);
        }
        return response;
    }

    /**
     * POSTs a new message until it is answered, and returns its message id: 202, or 200 after a 503 (the write committed after
     * the accept timeout and the retry found it, as on a busy machine). A 200 without a 503 before it (the key was there
     * already) and any other answer fail the test.
     */
    public String postAccepted(String path, String key, String body) throws Exception {
        HttpResponse<String> response = post(path, key, body);
        boolean refused = false;
        for (int i = 0; i < 15 && response.statusCode() == 503; i++) {
            refused = true;
            Thread.sleep(1000);
            response = post(path, key, body);
        }
        if (response.statusCode() != 202 && !(refused && response.statusCode() == 200)) {
            throw new AssertionError(key + " was not accepted as a new message: " + response.statusCode() + " " + response.body());
        }
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).get("messageId").asText();
    }

    /** GETs an admin API path. */
    public HttpResponse<String> get(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(15)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs a JSON body to an admin API path. */
    public HttpResponse<String> postJson(String path, String json) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws java.util.concurrent.TimeoutException, java.util.concurrent.ExecutionException {
        junction.close();
    }
}
