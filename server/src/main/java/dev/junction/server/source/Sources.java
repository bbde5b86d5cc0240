package dev.junction.server.source;

import com.typesafe.config.ConfigRenderOptions;
import dev.junction.connectors.api.Placement;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceInstance;
import dev.junction.connectors.api.http.HttpIngress;
import dev.junction.server.config.IntegrationSettings;
import dev.junction.server.config.JunctionSettings;
import dev.junction.server.config.SourceSettings;
import dev.junction.server.inbox.Inbox;
import dev.junction.server.runs.RunStore;
import dev.junction.server.runs.Runs;
import dev.junction.server.system.Systems;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source of every integration. A source placed on every node ({@link Placement#EVERY_NODE}: webhooks, queue consumers)
 * runs here on this node; one that needs a single reader ({@link Placement#ONE_NODE}: polling, CDC, batches) runs on one node
 * of the cluster, in a {@link SingleReader}. A reload starts the sources of new integrations, restarts those whose source block
 * changed (a new webhook takes requests before the old one stops; a single reader stops the old one first) and stops those of
 * removed integrations. Sources stop, in-flight messages settled, before the journal closes. Thread-safe.
 */
public final class Sources {
    private static final Logger log = LoggerFactory.getLogger(Sources.class);
    private static final Duration CHECK_INTERVAL = Duration.ofSeconds(5);

    /** What a source is made from; {@code text} tells whether a reload changed it. */
    record Definition(IntegrationSettings integration, Placement placement, String text) {}

    /** A source started on this node and what it was made from. */
    private record Running(SourceInstance instance, String definition) {}

    private final ActorSystem<?> system;
    private final Inbox inbox;
    private final Systems systems;
    private final RunStore runs;
    private final Executor blocking;
    private final SourceHealth health = new SourceHealth();
    private final Map<String, Running> everyNode = new LinkedHashMap<>();
    private final Map<String, SourceInstance> oneNodeHere = new ConcurrentHashMap<>();
    private volatile Map<String, Definition> oneNode = Map.of();
    private volatile Map<String, HttpIngress> webhooks = Map.of();
    private volatile Path configDirectory;
    private volatile boolean stopped;

    private Sources(ActorSystem<?> system, Inbox inbox, Systems systems, RunStore runs, Executor blocking) {
        this.system = system;
        this.inbox = inbox;
        this.systems = systems;
        this.runs = runs;
        this.blocking = blocking;
    }

    /**
     * Creates each integration's source, wired to its ingestor, its system's gates ({@code systems}) and the run records
     * ({@code runs}), and starts it; stops them all at shutdown.
     */
    public static Sources start(ActorSystem<?> system, JunctionSettings settings, Inbox inbox, Systems systems, RunStore runs,
                                Executor blocking) {
        Sources sources = new Sources(system, inbox, systems, runs, blocking);
        SourcePositions.init(system);
        ClusterSharding.get(system).init(Entity.of(SingleReader.TYPE_KEY, ctx -> SingleReader.create(ctx.getEntityId(), sources))
                .withStopMessage(new SingleReader.Stop()));
        sources.apply(settings);
        system.scheduler().scheduleAtFixedRate(CHECK_INTERVAL, CHECK_INTERVAL, sources::checkSingleReaders, system.executionContext());
        // After the HTTP listener has let its requests in flight finish (service-requests-done; new requests on open
        // connections are answered 503 meanwhile): a webhook still under way must find its source, or it would hear 404.
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceStop(), "stop-sources", sources::stopAll);
        return sources;
    }

    /** The webhook listening at {@code path} (under /webhooks/), or null. */
    public HttpIngress webhook(String path) {
        return webhooks.get(path);
    }

    /** How the sources on this node are doing. */
    public SourceHealth health() {
        return health;
    }

    /** Brings the running sources in line with {@code settings}; returns what changed, one line per integration. */
    public synchronized List<String> apply(JunctionSettings settings) {
        configDirectory = settings.configDirectory();
        List<String> changes = new ArrayList<>();
        List<SourceInstance> retired = new ArrayList<>();
        Map<String, Definition> single = new HashMap<>();
        for (IntegrationSettings integration : settings.integrations().values()) {
            if (integration.source() == null) {
                continue; // junction-alerts: the alerts feed it
            }
            Definition definition = definition(integration);
            Running running = everyNode.get(integration.name());
            if (definition.placement() == Placement.ONE_NODE) {
                single.put(integration.name(), definition);
                Definition before = oneNode.get(integration.name());
                if (before == null || !before.text().equals(definition.text())) {
                    changes.add(integration.name() + ": " + (before == null ? "started" : "restarted") + " its " + kind(integration)
                            + " on one node of the cluster");
                }
                if (running != null) {
                    retired.add(everyNode.remove(integration.name()).instance());
                }
                continue;
            }
            if (running != null && running.definition().equals(definition.text())) {
                continue;
            }
            everyNode.put(integration.name(), new Running(startHere(integration), definition.text()));
            if (running != null) {
                retired.add(running.instance());
            }
            changes.add(integration.name() + ": " + (running == null ? "started" : "restarted") + " its " + kind(integration));
        }
        for (String name : List.copyOf(everyNode.keySet())) {
            if (!settings.integrations().containsKey(name)) {
                retired.add(everyNode.remove(name).instance());
                changes.add(name + ": source stopped (the integration was removed; what it accepted is still delivered)");
            }
        }
        oneNode.keySet().stream().filter(name -> !settings.integrations().containsKey(name))
                .forEach(name -> changes.add(name + ": source stopped (the integration was removed; what it accepted is still delivered)"));
        oneNode = Map.copyOf(single);
        Map<String, HttpIngress> paths = new HashMap<>();
        everyNode.values().stream().map(Running::instance).filter(HttpIngress.class::isInstance).map(HttpIngress.class::cast)
                .forEach(i -> paths.put(i.path(), i));
        webhooks = Map.copyOf(paths);
        retired.forEach(SourceInstance::stop); // after the new ones took over their paths
        checkSingleReaders();
        return changes;
    }

    /** The definition of the single-reader source of {@code integration} on this node, or null when it has none. */
    Definition oneNodeDefinition(String integration) {
        return stopped ? null : oneNode.get(integration);
    }

    /** Starts the single-reader source of {@code integration} here (called by its {@link SingleReader}). */
    SourceInstance startOneNode(String integration, Definition definition) {
        abandonEarlierRuns(integration);
        SourceInstance instance = startHere(definition.integration());
        oneNodeHere.put(integration, instance);
        return instance;
    }

    /** Stops a single-reader source started here; a second call for the same instance finds it stopped already. */
    CompletionStage<Void> stopOneNode(String integration, SourceInstance instance) {
        if (!oneNodeHere.remove(integration, instance)) {
            return CompletableFuture.completedFuture(null);
        }
        health.stopped(integration);
        log.info("integration {}: single-reader source stopped on this node", integration);
        return instance.stop();
    }

    private SourceInstance startHere(IntegrationSettings integration) {
        SourceSettings source = integration.source();
        SourceContext context = new SourceContext(integration.name(), source.system().name(), source.system().config(),
                source.settings(), configDirectory, inbox.ingestorFor(integration.name()),
                SourcePositions.storeFor(system, integration.name(), source.kind()),
                health.reporter(integration.name(), source.system().name(), source.kind()), systems.calls(source.system().name()),
                new Runs(runs, integration.name(), source.kind()), system, blocking);
        SourceInstance created = source.factory().create(context);
        created.start();
        log.info("integration {} listening: {}", integration.name(), kind(integration));
        return created;
    }

    /**
     * A single-reader source starts here: no earlier run of it is under way any more (its node stopped, or this one
     * restarted), so one still recorded as running is marked failed instead of showing as running for ever.
     */
    private void abandonEarlierRuns(String integration) {
        runs.abandon(integration, java.time.Instant.now()).whenComplete((marked, e) -> {
            if (e != null) {
                log.warn("integration {}: runs left running by a stopped node not marked: {}", integration, e.toString());
            } else if (marked > 0) {
                log.info("integration {}: {} run(s) left running by a stopped node marked failed", integration, marked);
            }
        });
    }

    private void checkSingleReaders() {
        ClusterSharding sharding = ClusterSharding.get(system);
        for (String integration : oneNode.keySet()) {
            sharding.entityRefFor(SingleReader.TYPE_KEY, integration).tell(new SingleReader.Check());
        }
    }

    private static Definition definition(IntegrationSettings integration) {
        SourceSettings source = integration.source();
        Placement placement = source.factory().placement(source.system().config(), source.settings());
        String text = source.system().name() + "|" + source.kind() + "|" + source.settings().root().render(ConfigRenderOptions.concise())
                + "|" + source.system().config().root().render(ConfigRenderOptions.concise());
        return new Definition(integration, placement, text);
    }

    private static String kind(IntegrationSettings integration) {
        return integration.source().kind() + " source of system " + integration.source().system().name();
    }

    private synchronized CompletionStage<Done> stopAll() {
        stopped = true;
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        everyNode.values().forEach(s -> stops.add(s.instance().stop().toCompletableFuture()));
        oneNodeHere.forEach((integration, instance) -> stops.add(stopOneNode(integration, instance).toCompletableFuture()));
        webhooks = Map.of();
        return CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).thenApply(x -> Done.getInstance());
    }
}
