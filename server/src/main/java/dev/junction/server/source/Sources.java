package dev.junction.server.source;

import dev.junction.connectors.api.HttpIngress;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceInstance;
import dev.junction.server.config.IntegrationSettings;
import dev.junction.server.config.JunctionSettings;
import dev.junction.server.config.SourceSettings;
import dev.junction.server.inbox.Inbox;
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

/** The running source of every integration on this node. Sources stop, in-flight messages settled, before the journal closes. */
public final class Sources {
    private static final Logger log = LoggerFactory.getLogger(Sources.class);
    private final Map<String, SourceInstance> byIntegration;

    private Sources(Map<String, SourceInstance> byIntegration) {
        this.byIntegration = byIntegration;
    }

    /** Creates each integration's source, wired to its ingestor, and starts it; stops them all at shutdown. */
    public static Sources start(ActorSystem<?> system, JunctionSettings settings, Inbox inbox, Executor blocking) {
        Map<String, SourceInstance> created = new LinkedHashMap<>();
        for (IntegrationSettings integration : settings.integrations().values()) {
            SourceSettings source = integration.source();
            SourceContext context = new SourceContext(integration.name(), source.system().name(), source.system().config(),
                    source.settings(), settings.configDirectory(), inbox.ingestorFor(integration.name()), system, blocking);
            created.put(integration.name(), source.factory().create(context));
        }
        Sources sources = new Sources(created);
        created.forEach((name, instance) -> {
            instance.start();
            log.info("integration {} listening: {} source of system {}", name,
                    settings.integrations().get(name).source().kind(), settings.integrations().get(name).source().system().name());
        });
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "stop-sources", sources::stopAll);
        return sources;
    }

    /** The sources pushed to over the server's HTTP port. */
    public List<HttpIngress> httpIngresses() {
        return byIntegration.values().stream().filter(HttpIngress.class::isInstance).map(HttpIngress.class::cast).toList();
    }

    private CompletionStage<Done> stopAll() {
        CompletableFuture<?>[] stops = byIntegration.values().stream().map(s -> s.stop().toCompletableFuture()).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(stops).thenApply(x -> Done.getInstance());
    }
}
