package dev.junction.server.chaos;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValueFactory;
import dev.junction.connectors.api.KeyRule;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plays a {@code nats} source's publisher: adds a JetStream stream of the run's own next to the user's
 * ({@code <stream>-chaos-<run>-<n>} for the run's n-th nats integration, in memory, on the subject {@code chaos-<run>.<n>.<stream>},
 * which no stream of the user's takes),
 * points the source at it with a consumer of the run's own and no filter, and publishes each message there, waiting for the
 * stream's acknowledgement, its key as the {@code Nats-Msg-Id} header, the header its rule names, or in the body. The run's
 * stream's duplicate window is the shortest there is, and a message is published again only after it, so that it reaches the
 * source and Junction's own deduplication. The
 * user's stream and consumer are never read, published to or changed. The run's streams are deleted on {@link #close}.
 */
final class NatsStream implements Feed {
    /** The shortest the server allows; a message is published again only once it has passed. */
    private static final Duration DUPLICATE_WINDOW = Duration.ofMillis(100);
    private final String run = Long.toString(System.currentTimeMillis(), 36);
    /** By server URL. */
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    /** The run's stream by integration, and the connection it is on. */
    private final Map<String, String> streams = new ConcurrentHashMap<>();
    private final Map<String, Connection> byIntegration = new ConcurrentHashMap<>();

    /** Each integration's number in the run: two integrations reading one stream get a stream each. */
    private final Map<String, Integer> numbers = new ConcurrentHashMap<>();

    private String stream(Driven d) {
        return d.source().getString("stream") + "-chaos-" + run + "-" + number(d);
    }

    private String subject(Driven d) {
        return "chaos-" + run + "." + number(d) + "." + d.source().getString("stream");
    }

    private int number(Driven d) {
        return numbers.computeIfAbsent(d.integration(), i -> numbers.size() + 1);
    }

    /** Adds the run's stream on the source's server (one connection per server). */
    @Override
    public void open(Driven d) throws UsageException {
        try {
            String url = d.system().getString("url");
            Connection connection = connections.get(url);
            if (connection == null) {
                connection = Nats.connect(new Options.Builder()
                        .servers(java.util.Arrays.stream(url.split(",")).map(String::trim).toArray(String[]::new))
                        .connectionName("junction-chaos-" + run)
                        .connectionTimeout(Duration.ofSeconds(10))
                        .errorListener(new io.nats.client.ErrorListener() {}) // the default one prints to stderr
                        .build());
                connections.put(url, connection);
            }
            connection.jetStreamManagement().addStream(StreamConfiguration.builder().name(stream(d)).subjects(subject(d))
                    .storageType(StorageType.Memory).duplicateWindow(DUPLICATE_WINDOW).build());
            streams.put(d.integration(), stream(d));
            byIntegration.put(d.integration(), connection);
        } catch (Exception e) {
            throw new UsageException("integration " + d.integration() + ": cannot add the run's stream " + stream(d)
                    + " on its NATS server: " + e.getMessage());
        }
    }

    @Override
    public Config adjust(Config all, Driven d) {
        String at = "junction.integrations." + ConfigUtil.joinPath(d.integration()) + ".source.nats";
        return all.withValue(at + ".stream", ConfigValueFactory.fromAnyRef(stream(d)))
                .withValue(at + ".consumer", ConfigValueFactory.fromAnyRef(d.source().getString("consumer") + "-chaos-" + run))
                .withValue(at + ".create-consumer", ConfigValueFactory.fromAnyRef(true))
                .withValue(at + ".filter-subject", ConfigValueFactory.fromAnyRef(""));
    }

    @Override
    public CompletableFuture<Sent> put(Driven d, Inputs.Message message, String kind) {
        long sentAt = System.currentTimeMillis();
        String where = "a message on the run's stream " + stream(d);
        Headers headers = new Headers().put("Content-Type", "application/json");
        if (d.key() instanceof KeyRule.Native) {
            headers.put("Nats-Msg-Id", message.key());
        } else if (message.header() != null) {
            headers.put(message.header(), message.key());
        }
        try {
            JetStream js = byIntegration.get(d.integration()).jetStream();
            js.publish(NatsMessage.builder().subject(subject(d)).headers(headers)
                    .data(message.body().toString().getBytes(StandardCharsets.UTF_8)).build());
            return CompletableFuture.completedFuture(Feed.putIn(d, message, kind, sentAt, where));
        } catch (Exception e) {
            return CompletableFuture.completedFuture(Feed.notPutIn(d, message, kind, sentAt, where, e));
        }
    }

    /** After the run's stream's duplicate window, so that the stream keeps the message published again. */
    @Override
    public CompletableFuture<Void> whenTaken(Driven d, Inputs.Message message) {
        return CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(DUPLICATE_WINDOW.toMillis() * 2,
                java.util.concurrent.TimeUnit.MILLISECONDS));
    }

    @Override
    public String describe(Driven d) {
        return "messages published to the run's stream " + stream(d) + " on " + subject(d) + " (deleted after the run; stream "
                + d.source().getString("stream") + " is not touched)";
    }

    @Override
    public void close() {
        for (Map.Entry<String, String> e : streams.entrySet()) {
            try {
                JetStreamManagement jsm = byIntegration.get(e.getKey()).jetStreamManagement();
                jsm.deleteStream(e.getValue());
            } catch (Exception ignored) {
                // the server is gone: the stream, in memory and named after the run, is left
            }
        }
        for (Connection c : List.copyOf(connections.values())) {
            try {
                c.close();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
