package dev.junction.server.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.config.IntegrationSettings;
import dev.junction.server.config.TargetSettings;
import dev.junction.server.inbox.DeliveryHandler;
import dev.junction.server.inbox.Integrations;
import dev.junction.server.inbox.PartitionKeys;
import dev.junction.server.system.Systems;
import dev.junction.server.transform.Pipeline;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The integrations this node delivers, each with every revision loaded since the node started. A reload adds revisions; it
 * never drops one, because envelopes accepted under it may still be pending. Thread-safe.
 */
public final class Catalog implements Integrations {
    private final Map<String, Revisions> integrations = new ConcurrentHashMap<>();
    private final Map<String, IntegrationSettings> current = new ConcurrentHashMap<>();
    private final Map<String, Integrations.Revision> accepting = new ConcurrentHashMap<>();
    private final Systems systems;
    private final Executor executor;
    private final ObjectMapper json;
    private final IntegrationDelivery.Children children;
    private final Channels channels;

    public Catalog(Collection<IntegrationSettings> integrations, Systems systems, Executor executor, ObjectMapper json,
                   IntegrationDelivery.Children children) {
        this.systems = systems;
        this.executor = executor;
        this.json = json;
        this.children = children;
        this.channels = new Channels(children, this, executor);
        integrations.forEach(this::add);
        channels.follow(current);
    }

    /** Makes {@code settings} the current revision of its integration (adding the integration if it is new). */
    public synchronized void add(IntegrationSettings settings) {
        List<IntegrationDelivery.Target> targets = new ArrayList<>();
        for (TargetSettings target : settings.targets()) {
            targets.add(target.channel() != null
                    ? new IntegrationDelivery.Target(target.name(), target.destination(), null, target.when(), target.channel())
                    : new IntegrationDelivery.Target(target.name(), target.system().name(), target.system().resilience(), target.when(), null));
        }
        IntegrationDelivery delivery = new IntegrationDelivery(settings.name(), settings.revision(), new Pipeline(settings.steps()),
                targets, systems, executor, json, children, settings.lookups(), settings.mask(), channels, settings.channel());
        integrations.compute(settings.name(), (name, known) -> {
            if (known == null) {
                return new Revisions(name, delivery);
            }
            known.add(delivery);
            return known;
        });
        accepting.put(settings.name(), new Integrations.Revision(settings.revision(), settings.mappingVersions(),
                settings.ordering().perKey() ? new PartitionKeys(settings.ordering().partitionKey()) : null));
        current.put(settings.name(), settings);
    }

    @Override
    public java.util.Set<String> names() {
        return java.util.Set.copyOf(current.keySet());
    }

    @Override
    public DeliveryHandler handler(String integration) {
        return integrations.get(integration);
    }

    /** The channels' subscribers on this node; a reload makes them follow the new configuration. */
    public Channels channels() {
        return channels;
    }

    public Revisions revisions(String integration) {
        return integrations.get(integration);
    }

    /** The current definition of each integration. */
    public Map<String, IntegrationSettings> current() {
        return Map.copyOf(current);
    }

    @Override
    public Integrations.Revision accepting(String integration) {
        return accepting.getOrDefault(integration, new Integrations.Revision("", List.of()));
    }
}
