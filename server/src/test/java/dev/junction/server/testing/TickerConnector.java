package dev.junction.server.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.Connector;
import dev.junction.connectors.api.InboundMessage;
import dev.junction.connectors.api.IngestResult;
import dev.junction.connectors.api.Placement;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceFactory;
import dev.junction.connectors.api.SourceInstance;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A pull source for tests: a single reader ({@link Placement#ONE_NODE}) that emits {@code tick-<n>} for n after its committed
 * position, one every {@code every}, up to {@code count}; it commits n once the inbox holds tick n, and appends "{@code <node>
 * <n>}" to the system's {@code log} file for every tick it emits, so a test sees which node read what, and when. With
 * {@code keys = k} each tick also carries a partition key of the source's own, {@code k<n mod k>} (as a CDC source carries a
 * row's primary key), and the same number as {@code group} in its body.
 */
public final class TickerConnector implements Connector {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return "ticker";
    }

    @Override
    public ConfigSpec systemSpec() {
        return ConfigSpec.of("Ticks for tests.", ConfigField.string("log").required().description("Where emitted ticks are logged."));
    }

    @Override
    public Map<String, SourceFactory> sources() {
        return Map.of("ticks", new SourceFactory() {
            @Override
            public ConfigSpec spec() {
                return ConfigSpec.of("Numbered ticks.",
                        ConfigField.integer("count").required().description("How many."),
                        ConfigField.duration("every").defaultValue("20ms").description("Pace."),
                        ConfigField.integer("keys").defaultValue(0).description("Partition keys to spread ticks over; 0: none."));
            }

            @Override
            public boolean setsPartitionKey(com.typesafe.config.Config systemConfig, com.typesafe.config.Config settings) {
                return settings.getInt("keys") > 0;
            }

            @Override
            public Placement placement(com.typesafe.config.Config systemConfig, com.typesafe.config.Config settings) {
                return Placement.ONE_NODE;
            }

            @Override
            public SourceInstance create(SourceContext context) {
                return new Ticks(context);
            }
        });
    }

    private static final class Ticks implements SourceInstance {
        private final SourceContext context;
        private final int count;
        private final Duration every;
        private final int keys;
        private final Path log;
        private final String node;
        private volatile boolean stopped;
        private final CompletableFuture<Void> done = new CompletableFuture<>();

        Ticks(SourceContext context) {
            this.context = context;
            this.count = context.settings().getInt("count");
            this.every = context.settings().getDuration("every");
            this.keys = context.settings().getInt("keys");
            this.log = Path.of(context.systemConfig().getString("log"));
            this.node = context.actorSystem().address().toString();
        }

        @Override
        public void start() {
            context.positions().load().thenAccept(position -> next(position.map(Integer::parseInt).orElse(0) + 1))
                    .exceptionally(e -> {
                        done.completeExceptionally(e);
                        return null;
                    });
        }

        private void next(int n) {
            if (stopped || n > count) {
                done.complete(null);
                return;
            }
            try {
                Files.writeString(log, node + " " + n + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                byte[] raw = (keys > 0 ? "{\"tick\":" + n + ",\"group\":" + n % keys + "}" : "{\"tick\":" + n + "}")
                        .getBytes(StandardCharsets.UTF_8);
                InboundMessage message = new InboundMessage("tick-" + n, "application/json", raw, JSON.readTree(raw), Map.of());
                context.ingestor().ingest(keys > 0 ? message.withPartitionKey("k" + n % keys) : message)
                        .thenCompose(result -> result.isDurable() ? context.positions().commit(Integer.toString(n)).thenApply(x -> n + 1)
                                : CompletableFuture.completedFuture(n)) // refused: the same tick again
                        .whenComplete((following, failure) -> CompletableFuture.delayedExecutor(every.toMillis(), TimeUnit.MILLISECONDS)
                                .execute(() -> next(failure == null ? following : n)));
            } catch (Exception e) {
                done.completeExceptionally(e);
            }
        }

        @Override
        public CompletionStage<Void> stop() {
            stopped = true;
            return done.handle((x, e) -> null);
        }
    }
}
