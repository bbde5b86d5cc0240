package dev.junction.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.api.AdminApi;
import dev.junction.server.api.HttpApi;
import dev.junction.server.config.ConfigLoader;
import dev.junction.server.config.AlertSettings;
import dev.junction.server.config.JunctionSettings;
import dev.junction.server.delivery.Catalog;
import dev.junction.server.inbox.Inbox;
import dev.junction.server.observability.Alerts;
import dev.junction.server.observability.Observability;
import dev.junction.server.persistence.ActivityTable;
import dev.junction.server.persistence.RunsTable;
import dev.junction.server.persistence.InboxTables;
import dev.junction.server.persistence.JdbcKeys;
import dev.junction.server.persistence.JdbcRetention;
import dev.junction.server.plugins.ConnectorRegistry;
import dev.junction.server.reload.ClusterReload;
import dev.junction.server.reload.Reloader;
import dev.junction.server.source.Sources;
import dev.junction.server.system.Systems;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.management.javadsl.PekkoManagement;

/** A running Junction node. {@link #start} reads like the table of contents of the server. */
public final class Junction implements AutoCloseable {
    private static final Duration RELOAD_CHECK = Duration.ofSeconds(2);
    private final ActorSystem<Void> system;
    private final ServerBinding binding;
    private final org.apache.pekko.http.javadsl.model.Uri management;

    private Junction(ActorSystem<Void> system, ServerBinding binding, org.apache.pekko.http.javadsl.model.Uri management) {
        this.system = system;
        this.binding = binding;
        this.management = management;
    }

    /** Where Pekko Management answers, e.g. {@code http://127.0.0.1:7626/}. */
    public org.apache.pekko.http.javadsl.model.Uri managementUri() {
        return management;
    }

    /**
     * Starts a node on validated settings; returns once the HTTP port is bound. The journal schema must exist. A reload reads
     * the same file with the connectors found on the class path and this process's environment.
     */
    public static Junction start(JunctionSettings settings) throws Exception {
        ConnectorRegistry connectors = ConnectorRegistry.load(Junction.class.getClassLoader());
        return start(settings, connectors, file -> ConfigLoader.load(file, connectors, System.getenv()));
    }

    /**
     * Starts a node with {@code connectors} (the settings were validated with them); {@code reload} reads the configuration
     * again when it changes or the admin API asks.
     */
    public static Junction start(JunctionSettings settings, ConnectorRegistry connectors, Reloader.Loader reload) throws Exception {
        Observability.ensureStarted(); // Main started Kamon with its agent already; a node inside a test starts it without
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "junction", settings.pekko());
        try {
            org.apache.pekko.http.javadsl.model.Uri management = startManagement(system, settings);
            joinCluster(system, settings);
            Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig("junction-blocking-dispatcher"));
            Systems systems = Systems.start(system, settings, blocking);
            CompletableFuture<Inbox> inboxReady = new CompletableFuture<>();
            Catalog catalog = new Catalog(settings.integrations().values(), systems, system.executionContext(), new ObjectMapper(),
                    element -> inboxReady.thenCompose(inbox -> inbox.resubmit(element)));
            InboxTables tables = new InboxTables(settings.persistence(), blocking);
            org.apache.pekko.actor.CoordinatedShutdown.get(system).addTask(
                    org.apache.pekko.actor.CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-inbox-tables", () -> {
                        tables.close();
                        return CompletableFuture.completedFuture(org.apache.pekko.Done.getInstance());
                    });
            Inbox inbox = Inbox.init(system, settings.inbox(), catalog, new JdbcKeys(tables), new JdbcRetention(tables));
            inboxReady.complete(inbox);
            RunsTable runs = new RunsTable(tables);
            pruneRuns(system, runs, settings.runRetention(), blocking);
            Sources sources = Sources.start(system, settings, inbox, systems, runs, blocking);
            Alerts alerts = startAlerts(system, settings, inbox, new ActivityTable(tables), blocking);
            // Pools left open when the actor system stops are logged at ERROR as "shut down unexpectedly": close them first.
            org.apache.pekko.actor.CoordinatedShutdown.get(system).addTask(
                    org.apache.pekko.actor.CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-http-pools",
                    () -> org.apache.pekko.http.javadsl.Http.get(system).shutdownAllConnectionPools()
                            .thenApply(x -> org.apache.pekko.Done.getInstance()));
            Reloader reloader = new Reloader(settings, reload, catalog, sources, systems, blocking);
            reloader.onApplied(next -> alerts.follow(next.alerts().monitoring()));
            reloader.onApplied(next -> catalog.channels().follow(next.integrations()));
            reloader.watch(system, RELOAD_CHECK);
            ClusterReload clusterReload = ClusterReload.start(system, reloader, blocking);
            ServerBinding binding = HttpApi.start(system, settings.http(), sources::webhook,
                            new AdminApi.Services(inbox.deadLetters(), inbox.operations(), inbox.messages(), catalog, reloader, clusterReload, systems, sources.health(),
                                    connectors, alerts, runs, inbox::pending), settings.admin())
                    .toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
            return new Junction(system, binding, management);
        } catch (Exception e) {
            system.terminate();
            throw e;
        }
    }

    /**
     * The built-in alerts: this node's activity counts are written every few seconds (and at shutdown, before the tables close),
     * the rules are checked every check interval, old counts pruned hourly.
     */
    private static Alerts startAlerts(ActorSystem<?> system, JunctionSettings settings, Inbox inbox, ActivityTable activity,
                                      Executor blocking) {
        AlertSettings a = settings.alerts();
        Alerts alerts = new Alerts(a, activity, a.notifies() ? inbox.ingestorFor(AlertSettings.NOTIFY_INTEGRATION) : null,
                settings.node().host() + ":" + Cluster.get(system).selfMember().address().getPort().orElse(0));
        scala.concurrent.ExecutionContext onBlocking = scala.concurrent.ExecutionContext.fromExecutor(blocking);
        Duration flush = a.checkInterval().compareTo(Duration.ofSeconds(5)) < 0 ? a.checkInterval() : Duration.ofSeconds(5);
        system.scheduler().scheduleWithFixedDelay(flush, flush, alerts::flush, onBlocking);
        system.scheduler().scheduleWithFixedDelay(a.checkInterval(), a.checkInterval(), alerts::check, onBlocking);
        system.scheduler().scheduleWithFixedDelay(Duration.ofMinutes(1), Duration.ofHours(1), () -> {
            try {
                alerts.prune();
            } catch (RuntimeException e) {
                // the next hour tries again
            }
        }, onBlocking);
        org.apache.pekko.actor.CoordinatedShutdown.get(system).addTask(
                org.apache.pekko.actor.CoordinatedShutdown.PhaseServiceStop(), "flush-activity", () -> CompletableFuture.supplyAsync(() -> {
                    alerts.flush();
                    return org.apache.pekko.Done.getInstance();
                }, blocking));
        return alerts;
    }

    /** Removes the runs older than {@code retention} a minute after start and hourly after that. */
    private static void pruneRuns(ActorSystem<?> system, RunsTable runs, Duration retention, Executor blocking) {
        system.scheduler().scheduleWithFixedDelay(Duration.ofMinutes(1), Duration.ofHours(1), () -> runs.prune(
                java.time.Instant.now().minus(retention)).whenComplete((removed, e) -> {
                    if (e != null) {
                        org.slf4j.LoggerFactory.getLogger(Junction.class).warn("runs older than {} not pruned (the next hour tries again): {}", retention, e.toString());
                    }
                }), scala.concurrent.ExecutionContext.fromExecutor(blocking));
    }

    /** Pekko Management: {@code /ready} (Up in the cluster, journal answering), {@code /alive}, {@code /cluster/members}. */
    private static org.apache.pekko.http.javadsl.model.Uri startManagement(ActorSystem<?> system, JunctionSettings settings) throws Exception {
        try {
            return PekkoManagement.get(system.classicSystem()).start().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("management port " + settings.node().managementPort() + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Joins the configured seed nodes, or forms a one-node cluster when there are none. */
    private static void joinCluster(ActorSystem<?> system, JunctionSettings settings) {
        if (settings.node().bootstrapsOnKubernetes()) {
            // Pekko Management (already started) answers the other pods' bootstrap probes; the bootstrap forms or joins.
            org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap.get(system.classicSystem()).start();
            return;
        }
        if (settings.node().seedNodes().isEmpty()) {
            Cluster cluster = Cluster.get(system);
            Address self = cluster.selfMember().address();
            cluster.manager().tell(Join.create(self));
        }
        // With seed nodes configured (pekko.cluster.seed-nodes), the cluster extension joins them by itself.
    }

    public InetSocketAddress httpAddress() {
        return binding.localAddress();
    }

    public ActorSystem<Void> system() {
        return system;
    }

    /** Leaves the cluster and stops, running every CoordinatedShutdown phase; waits up to a minute. */
    @Override
    public void close() throws java.util.concurrent.TimeoutException, java.util.concurrent.ExecutionException {
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(Duration.ofMinutes(1).toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
