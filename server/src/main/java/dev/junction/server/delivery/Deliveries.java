package dev.junction.server.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.connectors.api.SinkContext;
import dev.junction.connectors.api.SinkInstance;
import dev.junction.server.config.IntegrationSettings;
import dev.junction.server.config.JunctionSettings;
import dev.junction.server.config.TargetSettings;
import dev.junction.server.inbox.DeliveryHandler;
import dev.junction.server.transform.Pipeline;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;

/** Builds each integration's {@link IntegrationDelivery}: its compiled pipeline and a sink per target, closed at shutdown. */
public final class Deliveries {
    private Deliveries() {}

    public static Map<String, DeliveryHandler> create(ActorSystem<?> system, JunctionSettings settings, Executor blocking, ObjectMapper json) {
        Map<String, DeliveryHandler> result = new LinkedHashMap<>();
        List<SinkInstance> sinks = new ArrayList<>();
        for (IntegrationSettings integration : settings.integrations().values()) {
            List<IntegrationDelivery.Target> targets = new ArrayList<>();
            for (TargetSettings target : integration.targets()) {
                SinkContext context = new SinkContext(integration.name(), target.system().name(), target.system().config(),
                        target.settings(), settings.configDirectory(), system, blocking);
                SinkInstance sink = target.factory().create(context);
                sinks.add(sink);
                targets.add(new IntegrationDelivery.Target(target.name(), sink, target.system().resilience(), target.when()));
            }
            result.put(integration.name(), new IntegrationDelivery(integration.name(), new Pipeline(integration.steps()), targets,
                    system.executionContext(), json));
        }
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-sinks", () ->
                CompletableFuture.allOf(sinks.stream().map(s -> s.close().toCompletableFuture()).toArray(CompletableFuture[]::new))
                        .thenApply(x -> Done.getInstance()));
        return result;
    }
}
