package dev.junction.server.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.config.IntegrationSettings;
import dev.junction.server.config.JunctionSettings;
import dev.junction.server.config.TargetSettings;
import dev.junction.server.inbox.DeliveryHandler;
import dev.junction.server.system.Systems;
import dev.junction.server.transform.Pipeline;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/** Builds each integration's {@link IntegrationDelivery}: its compiled pipeline and its targets, called through their systems. */
public final class Deliveries {
    private Deliveries() {}

    public static Map<String, DeliveryHandler> create(JunctionSettings settings, Systems systems, Executor executor, ObjectMapper json) {
        Map<String, DeliveryHandler> result = new LinkedHashMap<>();
        for (IntegrationSettings integration : settings.integrations().values()) {
            List<IntegrationDelivery.Target> targets = new ArrayList<>();
            for (TargetSettings target : integration.targets()) {
                targets.add(new IntegrationDelivery.Target(target.name(), target.system().name(), target.system().resilience(),
                        target.when()));
            }
            result.put(integration.name(), new IntegrationDelivery(integration.name(), new Pipeline(integration.steps()), targets,
                    systems, executor, json));
        }
        return result;
    }
}
