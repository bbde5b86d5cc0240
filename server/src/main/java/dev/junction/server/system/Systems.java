package dev.junction.server.system;

import dev.junction.connectors.api.LookupReader;
import dev.junction.connectors.api.RetriableException;
import dev.junction.connectors.api.SinkContext;
import dev.junction.connectors.api.SinkRecord;
import dev.junction.connectors.api.SystemCalls;
import dev.junction.server.config.IntegrationSettings;
import dev.junction.server.config.JunctionSettings;
import dev.junction.server.config.ResilienceSettings;
import dev.junction.server.config.SystemSettings;
import dev.junction.server.config.TargetSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.MailboxSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.CoordinatedShutdown;

/**
 * The connected systems on this node: one supervised {@link SystemActor} each, spawned at start or by the reload that adds
 * the system. Deliveries call a target
 * through here; the admin API reads each system's status. Thread-safe.
 */
public final class Systems {
    /** How long a call may wait in its system's queue before its caller is told to come back (not an attempt). */
    static final Duration QUEUE_WAIT = Duration.ofSeconds(30);
    /** With the breaker off nothing bounds an attempt but the connector's own timeout; the caller's wait must outlast it. */
    private static final Duration UNBOUNDED_CALL = Duration.ofMinutes(5);
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(2);
    /** With the breaker off, an enrich step's read still needs an end: it holds a message back while it waits. */
    private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(30);

    /** {@code replyTimeout}: how long a caller waits for its call's answer before it calls again (queue wait + call). */
    private record Entry(SystemSettings settings, ActorRef<SystemActor.Command> actor, SystemHealth health, Duration replyTimeout) {}

    private final ActorSystem<?> system;
    private final Executor blocking;
    /** In the configuration's order; replaced whole under this object's lock (start and reloads), read by every call without it. */
    private volatile Map<String, Entry> systems = Map.of();
    /**
     * Each system's sink bindings, the list its actor creates its sinks from whenever it (re)starts. Only appended to: a
     * target that a reload removes keeps its sink, which still delivers the messages accepted for it.
     */
    private final Map<String, List<SinkBinding>> bindings = new java.util.concurrent.ConcurrentHashMap<>();

    private Systems(ActorSystem<?> system, Executor blocking) {
        this.system = system;
        this.blocking = blocking;
    }

    /** Spawns an actor for every system, owning the sinks of the targets that name it. */
    public static Systems start(ActorSystem<?> system, JunctionSettings settings, Executor blocking) {
        Systems systems = new Systems(system, blocking);
        systems.apply(settings);
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-systems",
                systems::shutdown);
        return systems;
    }

    /**
     * Follows a configuration (at start, and at each reload before any integration or source uses it): a system new to this
     * node gets its actor, and a target new to a running system gets its sink. A system the configuration no longer names keeps
     * running until the node stops: the messages its removed integrations accepted are still delivered through it.
     *
     * @return what was added, one line each
     */
    public synchronized List<String> apply(JunctionSettings settings) {
        List<String> changes = new ArrayList<>();
        Map<String, List<SinkBinding>> added = new LinkedHashMap<>();
        for (IntegrationSettings integration : settings.integrations().values()) {
            for (TargetSettings target : integration.targets()) {
                if (target.channel() != null) {
                    continue; // a channel target publishes into the subscribers' inboxes: no system, no sink
                }
                String system = target.system().name();
                String id = targetId(integration.name(), target.name());
                boolean bound = bindings.getOrDefault(system, List.of()).stream().anyMatch(b -> b.target().equals(id));
                if (!bound) {
                    SinkContext context = new SinkContext(integration.name(), system, target.system().config(),
                            target.settings(), settings.configDirectory(), this.system, blocking);
                    added.computeIfAbsent(system, s -> new ArrayList<>()).add(new SinkBinding(id, target.factory(), context));
                }
            }
        }
        for (SystemSettings s : settings.systems().values()) {
            List<SinkBinding> newBindings = added.getOrDefault(s.name(), List.of());
            Entry entry = systems.get(s.name());
            if (entry == null) {
                List<SinkBinding> list = new java.util.concurrent.CopyOnWriteArrayList<>(newBindings);
                bindings.put(s.name(), list);
                Map<String, Entry> next = new LinkedHashMap<>(systems);
                next.put(s.name(), spawn(s, list, settings));
                systems = java.util.Collections.unmodifiableMap(next);
                changes.add("system " + s.name() + ": started");
            } else {
                for (SinkBinding binding : newBindings) {
                    bindings.get(s.name()).add(binding);
                    entry.actor().tell(new SystemActor.Bind(binding));
                    changes.add("system " + s.name() + ": sink for " + binding.target() + " added");
                }
            }
        }
        return changes;
    }

    private Entry spawn(SystemSettings s, List<SinkBinding> sinks, JunctionSettings settings) {
        SystemHealth health = new SystemHealth();
        // The mailbox holds the calls of every partition's window plus completions; callers whose message is dropped time
        // out and call again, so a full mailbox delays work but never loses it.
        int mailbox = Math.max(10_000, 2 * settings.inbox().partitions() * settings.inbox().deliveryWindow() * integrationsOf(settings));
        ActorRef<SystemActor.Command> actor = system.systemActorOf(
                Behaviors.supervise(SystemActor.create(s, sinks, health))
                        .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2)
                                .withLogLevel(org.slf4j.event.Level.WARN)),
                "system-" + s.name(), MailboxSelector.bounded(mailbox));
        Duration call = s.resilience().breaker().enabled() ? s.resilience().breaker().callTimeout() : UNBOUNDED_CALL;
        return new Entry(s, actor, health, QUEUE_WAIT.plus(call).plusSeconds(5));
    }

    private static int integrationsOf(JunctionSettings settings) {
        return Math.max(1, settings.integrations().size());
    }

    public static String targetId(String integration, String target) {
        return integration + "/" + target;
    }

    /**
     * One attempt at {@code target} of {@code system}, made when the system's gates allow. Never fails: a call that did not
     * reach the sink in time, or whose delivery's {@code ticket} was withdrawn before it started, answers
     * {@link CallResult.NotAttempted} and is not made.
     */
    public CompletionStage<CallResult> call(String systemName, String target, SinkRecord record, Ticket ticket) {
        return call(systemName, new SystemActor.Send(target, record), ticket);
    }

    /** Some delivery was asked to withdraw: every system answers its withdrawn waiting calls now, not when their turn comes. */
    public void sweepWithdrawn() {
        systems.values().forEach(e -> e.actor().tell(new SystemActor.Sweep()));
    }

    /**
     * The calls to {@code systemName} that are not deliveries (a poll's page requests), through the same gates. A call that
     * was not attempted fails with a {@link RetriableException} of class {@code not-attempted}.
     */
    public SystemCalls calls(String systemName) {
        return new SystemCalls() {
            @Override
            public <T> CompletionStage<T> call(Supplier<CompletionStage<T>> attempt) {
                CompletableFuture<T> value = new CompletableFuture<>();
                SystemActor.Run run = new SystemActor.Run(() -> attempt.get().thenAccept(value::complete));
                return Systems.this.call(systemName, run, Ticket.NONE).thenCompose(result -> {
                    if (result instanceof CallResult.NotAttempted n) {
                        return CompletableFuture.failedFuture(new RetriableException("not-attempted", n.reason(), null));
                    }
                    Throwable failure = ((CallResult.Attempted) result).failure();
                    return failure == null ? value : CompletableFuture.failedFuture(failure);
                });
            }
        };
    }

    private CompletionStage<CallResult> call(String systemName, SystemActor.Attempt attempt, Ticket ticket) {
        Entry entry = systems.get(systemName);
        if (entry == null) {
            return CompletableFuture.completedFuture(new CallResult.NotAttempted("system " + systemName
                    + " is not running on this node"));
        }
        long deadline = System.nanoTime() + QUEUE_WAIT.toNanos();
        CompletableFuture<CallResult> reply = new CompletableFuture<>();
        entry.actor().tell(new SystemActor.Call(attempt, deadline, reply, ticket));
        // The actor answers every call; the timeout covers a call lost with a restarting actor or a full mailbox.
        return reply.orTimeout(entry.replyTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .exceptionally(e -> new CallResult.NotAttempted(systemName + " did not answer: " + e));
    }

    /**
     * What an enrich step reads {@code systemName} with: opened by the system's connector, its reads bounded by the system's
     * call timeout. Empty when the system does not run on this node or its connector cannot be read.
     */
    public Optional<LookupReader> reader(String systemName) {
        Entry entry = systems.get(systemName);
        if (entry == null) {
            return Optional.empty();
        }
        ResilienceSettings.Breaker breaker = entry.settings().resilience().breaker();
        Duration timeout = breaker.enabled() ? breaker.callTimeout() : LOOKUP_TIMEOUT;
        return entry.settings().connector().lookups().map(f -> f.open(entry.settings().config(), system, timeout));
    }

    /** The resilience settings of {@code systemName}; empty when the system does not run on this node. */
    public Optional<ResilienceSettings> resilience(String systemName) {
        return Optional.ofNullable(systems.get(systemName)).map(e -> e.settings().resilience());
    }

    public List<String> names() {
        return List.copyOf(systems.keySet());
    }

    /** The status of {@code name} on this node; empty when there is no such system. */
    public Optional<CompletionStage<SystemStatus>> status(String name) {
        Entry entry = systems.get(name);
        if (entry == null) {
            return Optional.empty();
        }
        return Optional.of(AskPattern.<SystemActor.Command, SystemStatus>ask(entry.actor(), SystemActor.GetStatus::new,
                        STATUS_TIMEOUT, system.scheduler())
                .exceptionally(e -> restarting(entry)));
    }

    /** What can be said of a system whose actor does not answer: it waits to restart its connector. */
    private static SystemStatus restarting(Entry entry) {
        SystemSettings s = entry.settings();
        return new SystemStatus(s.name(), s.connector().name(), entry.health().running() ? "unresponsive" : "restarting",
                new SystemStatus.Breaker(BreakerState.UNKNOWN, null, 0, null), null, null, null, null, 0, s.resilience().maxInFlight(), 0, 0, 0, 0,
                Map.of(), null, null, entry.health().restarts(), entry.health().startFailure());
    }

    private CompletionStage<Done> shutdown() {
        List<CompletableFuture<Done>> closing = systems.values().stream().map(e -> AskPattern.<SystemActor.Command, Done>ask(
                        e.actor(), SystemActor.Shutdown::new, Duration.ofSeconds(10), system.scheduler())
                .toCompletableFuture().exceptionally(x -> Done.getInstance())).toList();
        return CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).thenApply(x -> Done.getInstance());
    }
}
