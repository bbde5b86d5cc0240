package dev.junction.server.source;

import com.typesafe.config.ConfigRenderOptions;
import dev.junction.connectors.api.HttpIngress;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceInstance;
import dev.junction.server.config.IntegrationSettings;
import dev.junction.server.config.JunctionSettings;
import dev.junction.server.config.SourceSettings;
import dev.junction.server.inbox.Inbox;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running source of every integration on this node. A reload starts the sources of new integrations, restarts those whose
 * source block changed (the new one takes requests before the old one stops) and stops those of removed integrations. Sources
 * stop, in-flight messages settled, before the journal closes. Thread-safe.
 */
public final class Sources {
    private static final Logger log = LoggerFactory.getLogger(Sources.class);

    /** A started source and what it was made from, to tell whether a reload changes it. */
    private record Running(SourceInstance instance, String definition) {}

    private final ActorSystem<?> system;
    private final Inbox inbox;
    private final Executor blocking;
    private final Map<String, Running> byIntegration = new LinkedHashMap<>();
    private volatile Map<String, HttpIngress> webhooks = Map.of();

    private Sources(ActorSystem<?> system, Inbox inbox, Executor blocking) {
        this.system = system;
        this.inbox = inbox;
        this.blocking = blocking;
    }

    /** Creates each integration's source, wired to its ingestor, and starts it; stops them all at shutdown. */
    public static Sources start(ActorSystem<?> system, JunctionSettings settings, Inbox inbox, Executor blocking) {
        Sources sources = new Sources(system, inbox, blocking);
        sources.apply(settings);
        // After the HTTP listener has let its requests in flight finish (service-requests-done; new requests on open
        // connections are answered 503 meanwhile): a webhook still under way must find its source, or it would hear 404.
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceStop(), "stop-sources", sources::stopAll);
        return sources;
    }

    /** The webhook listening at {@code path} (under /webhooks/), or null. */
    public HttpIngress webhook(String path) {
        return webhooks.get(path);
    }

    /** Brings the running sources in line with {@code settings}; returns what changed, one line per integration. */
    public synchronized List<String> apply(JunctionSettings settings) {
        List<String> changes = new java.util.ArrayList<>();
        List<SourceInstance> retired = new java.util.ArrayList<>();
        for (IntegrationSettings integration : settings.integrations().values()) {
            String definition = definition(integration.source());
            Running running = byIntegration.get(integration.name());
            if (running != null && running.definition().equals(definition)) {
                continue;
            }
            SourceSettings source = integration.source();
            SourceContext context = new SourceContext(integration.name(), source.system().name(), source.system().config(),
                    source.settings(), settings.configDirectory(), inbox.ingestorFor(integration.name()), system, blocking);
            SourceInstance created = source.factory().create(context);
            created.start();
            byIntegration.put(integration.name(), new Running(created, definition));
            if (running != null) {
                retired.add(running.instance());
            }
            changes.add(integration.name() + ": " + (running == null ? "started" : "restarted") + " its " + source.kind()
                    + " source of system " + source.system().name());
            log.info("integration {} listening: {} source of system {}", integration.name(), source.kind(), source.system().name());
        }
        for (String name : List.copyOf(byIntegration.keySet())) {
            if (!settings.integrations().containsKey(name)) {
                retired.add(byIntegration.remove(name).instance());
                changes.add(name + ": source stopped (the integration was removed; what it accepted is still delivered)");
            }
        }
        Map<String, HttpIngress> paths = new HashMap<>();
        byIntegration.values().stream().map(Running::instance).filter(HttpIngress.class::isInstance).map(HttpIngress.class::cast)
                .forEach(i -> paths.put(i.path(), i));
        webhooks = Map.copyOf(paths);
        retired.forEach(SourceInstance::stop); // after the new ones took over their paths
        return changes;
    }

    private static String definition(SourceSettings source) {
        return source.system().name() + "|" + source.kind() + "|" + source.settings().root().render(ConfigRenderOptions.concise())
                + "|" + source.system().config().root().render(ConfigRenderOptions.concise());
    }

    private synchronized CompletionStage<Done> stopAll() {
        CompletableFuture<?>[] stops = byIntegration.values().stream().map(s -> s.instance().stop().toCompletableFuture())
                .toArray(CompletableFuture[]::new);
        webhooks = Map.of();
        return CompletableFuture.allOf(stops).thenApply(x -> Done.getInstance());
    }
}
