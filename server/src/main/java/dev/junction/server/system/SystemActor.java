package dev.junction.server.system;

import dev.junction.connectors.api.ConnectorException;
import dev.junction.connectors.api.PermanentException;
import dev.junction.connectors.api.RetriableException;
import dev.junction.connectors.api.SinkInstance;
import dev.junction.connectors.api.SinkRecord;
import dev.junction.server.config.ResilienceSettings;
import dev.junction.server.config.SystemSettings;
import dev.junction.server.observability.Metrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.pattern.CircuitBreaker;
import org.apache.pekko.pattern.CircuitBreakerOpenException;

/**
 * One connected system on this node. It owns the system's sinks (one per target that names it), its circuit breaker, its
 * rate limit, its pause on {@code Retry-After} (shared with the other nodes through a topic) and its bulkhead: at most
 * {@code max-in-flight} attempts run at once, the rest wait here in order. A call that waits does not count as an attempt, so
 * an open breaker or a pause never burns a message's retry budget. Supervised: a connector that fails to start is restarted
 * with back-off while the other systems go on.
 */
public final class SystemActor extends AbstractBehavior<SystemActor.Command> {

    public sealed interface Command {}

    /**
     * Make one {@code attempt} when the gates allow, unless {@code deadlineNanos} passes or its delivery's {@code ticket} is
     * withdrawn first; complete {@code reply} either way. Local only (a future, not an actor ref: no temporary actor per attempt).
     */
    public record Call(Attempt attempt, long deadlineNanos, CompletableFuture<CallResult> reply, Ticket ticket) implements Command {}

    /** Some delivery was asked to withdraw: waiting calls whose delivery is withdrawn are answered at once. */
    public record Sweep() implements Command {}

    /** The answer to a call whose delivery was withdrawn before it started. */
    static final String WITHDRAWN = "withdrawn: its partition is handing off";

    /** What a {@link Call} does once the gates let it through. */
    public sealed interface Attempt {}

    /** A delivery: one {@code send} of {@code record} by the sink of {@code target}. */
    public record Send(String target, SinkRecord record) implements Attempt {}

    /**
     * Any other call to the system (a poll's page request, a lookup): {@code body} makes it and must not block. Its failure
     * counts like a delivery's (breaker, pause); its success is not a delivery.
     */
    public record Run(java.util.function.Supplier<CompletionStage<Void>> body) implements Attempt {}

    public record GetStatus(ActorRef<SystemStatus> replyTo) implements Command {}

    /**
     * A target added by a reload: create its sink here. The binding is already in the list a restart creates the sinks from,
     * so a restart before this arrives creates it there, and this finds it made.
     */
    record Bind(SinkBinding binding) implements Command {}

    /** Close the sinks, answer, and stop (at shutdown). */
    public record Shutdown(ActorRef<Done> replyTo) implements Command {}

    /**
     * The attempt is over: the breaker answered and the sink's own future completed (after a breaker timeout the sink may still
     * hold a connection; its slot is free only when it lets go).
     */
    private record Finished(Call call, long startedAt, long startNanos, boolean probe, Throwable failure) implements Command {}

    private record Wake() implements Command {}

    private record BreakerChanged() implements Command {}

    private record Paused(Pause pause) implements Command {}

    /** A member joined, left or changed state: the rate limit's share of this node is computed again. */
    private record MembersChanged(ClusterEvent.MemberEvent event) implements Command {}

    private static final Object WAKE_TIMER = "wake";

    private final SystemSettings settings;
    private final ResilienceSettings policy;
    private final Map<String, SinkInstance> sinks;
    private final SystemHealth health;
    private final TimerScheduler<Command> timers;
    private final CircuitBreaker breaker;
    private final Pacer rate;
    /** The members that may call this system (not down, not removed), by address, as the membership events told. */
    private final java.util.SortedSet<String> members = new java.util.TreeSet<>();
    private final ActorRef<Topic.Command<Pause>> topic;
    private final ArrayDeque<Call> waiting = new ArrayDeque<>();
    /** Calls holding a bulkhead slot. */
    private final Set<Call> inFlight = Collections.newSetFromMap(new IdentityHashMap<>());
    private final RecentFailures recentFailures = new RecentFailures();
    private boolean probeInFlight;
    private long pausedUntil;
    private String pauseReason;
    private BreakerState breakerState = BreakerState.CLOSED;
    private long breakerSince = System.currentTimeMillis();
    private String breakerLastError;
    private long attempts;
    private long delivered;
    private long failed;
    private long lastSuccess;
    private SystemStatus.Failure lastFailure;

    static Behavior<Command> create(SystemSettings settings, java.util.List<SinkBinding> bindings, SystemHealth health) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            health.starting();
            Map<String, SinkInstance> sinks = new LinkedHashMap<>();
            try {
                for (SinkBinding binding : bindings) {
                    sinks.put(binding.target(), binding.factory().create(binding.context()));
                }
            } catch (RuntimeException e) {
                sinks.values().forEach(SinkInstance::close);
                health.startFailed(e);
                throw e;
            }
            health.started();
            return new SystemActor(context, timers, settings, sinks, health);
        }));
    }

    private SystemActor(ActorContext<Command> context, TimerScheduler<Command> timers, SystemSettings settings,
                        Map<String, SinkInstance> sinks, SystemHealth health) {
        super(context);
        this.settings = settings;
        this.policy = settings.resilience();
        this.sinks = sinks;
        this.health = health;
        this.timers = timers;
        ResilienceSettings.Breaker b = policy.breaker();
        if (b.enabled()) {
            ActorRef<Command> self = context.getSelf();
            this.breaker = CircuitBreaker.create(context.getSystem().classicSystem().scheduler(), b.maxFailures(), b.callTimeout(),
                            b.resetTimeout())
                    .withExponentialBackoff(b.maxResetTimeout())
                    .addOnOpenListener(() -> self.tell(new BreakerChanged()))
                    .addOnHalfOpenListener(() -> self.tell(new BreakerChanged()))
                    .addOnCloseListener(() -> self.tell(new BreakerChanged()));
            Metrics.breaker(settings.name(), 0);
        } else {
            this.breaker = null;
            this.breakerState = BreakerState.DISABLED;
        }
        this.rate = policy.rateLimit().map(l -> new Pacer(share(l))).orElse(null);
        if (rate != null) {
            // The members are followed from the events themselves (the subscription starts with one per member): the
            // cluster's state object is updated by a subscription of its own and may not show the event just received.
            Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(
                    context.messageAdapter(ClusterEvent.MemberEvent.class, MembersChanged::new), ClusterEvent.MemberEvent.class));
        }
        this.topic = context.spawn(Topic.create(Pause.class, "junction-system-" + settings.name()), "pauses");
        topic.tell(Topic.subscribe(context.messageAdapter(Pause.class, Paused::new)));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Call.class, this::onCall)
                .onMessage(Finished.class, this::onFinished)
                .onMessage(Wake.class, w -> drain())
                .onMessage(Sweep.class, w -> {
                    waiting.removeIf(SystemActor::withdrawn);
                    return drain();
                })
                .onMessage(BreakerChanged.class, this::onBreakerChanged)
                .onMessage(Paused.class, p -> onPaused(p.pause()))
                .onMessage(MembersChanged.class, this::onMembersChanged)
                .onMessage(GetStatus.class, this::onGetStatus)
                .onMessage(Bind.class, this::onBind)
                .onMessage(Shutdown.class, this::onShutdown)
                .onSignal(PreRestart.class, signal -> {
                    closeSinks();
                    return this;
                })
                .onSignal(PostStop.class, signal -> {
                    Metrics.breakerGone(settings.name());
                    closeSinks();
                    return this;
                })
                .build();
    }

    /** A sink that fails to start fails the actor as at start: the supervisor restarts it and creates every sink again. */
    private Behavior<Command> onBind(Bind bind) {
        SinkBinding binding = bind.binding();
        if (!sinks.containsKey(binding.target())) {
            sinks.put(binding.target(), binding.factory().create(binding.context()));
        }
        return this;
    }

    private Behavior<Command> onCall(Call call) {
        if (call.attempt() instanceof Send send && !sinks.containsKey(send.target())) {
            call.reply().complete(new CallResult.Attempted(System.currentTimeMillis(), 0,
                    new PermanentException("no-sink", "system " + settings.name() + " has no target " + send.target())));
            return this;
        }
        if (waiting.size() >= policy.maxQueued()) {
            call.reply().complete(new CallResult.NotAttempted(waiting.size() + " calls already wait for " + settings.name()));
            return this;
        }
        waiting.add(call);
        return drain();
    }

    /** Starts waiting calls while every gate is open: no pause, breaker closed (or one probe), a free slot, a token. */
    private Behavior<Command> drain() {
        while (!waiting.isEmpty()) {
            long nowNanos = System.nanoTime();
            if (withdrawn(waiting.peek())) {
                waiting.poll();
                continue;
            }
            if (waiting.peek().deadlineNanos() - nowNanos < 0) {
                waiting.poll().reply().complete(new CallResult.NotAttempted("waited too long for " + settings.name()));
                continue;
            }
            long now = System.currentTimeMillis();
            if (pausedUntil > now) {
                timers.startSingleTimer(WAKE_TIMER, new Wake(), Duration.ofMillis(pausedUntil - now));
                return this;
            }
            if (breaker != null && (breaker.isOpen() || (breaker.isHalfOpen() && probeInFlight))) {
                return this; // the breaker's half-open transition or the probe's end wakes us
            }
            if (inFlight.size() >= policy.maxInFlight()) {
                return this; // a released slot wakes us
            }
            if (rate != null) {
                long waitNanos = rate.tryTake(nowNanos);
                if (waitNanos > 0) {
                    timers.startSingleTimer(WAKE_TIMER, new Wake(), Duration.ofNanos(waitNanos));
                    return this;
                }
            }
            Call next = waiting.poll();
            if (next.ticket().start()) {
                start(next);
            } else {
                next.reply().complete(new CallResult.NotAttempted(WITHDRAWN));
            }
        }
        return this;
    }

    /** Answers {@code call} when its delivery is withdrawn. */
    private static boolean withdrawn(Call call) {
        if (!call.ticket().withdrawIfAsked()) {
            return false;
        }
        call.reply().complete(new CallResult.NotAttempted(WITHDRAWN));
        return true;
    }

    private void start(Call call) {
        long startedAt = System.currentTimeMillis();
        long startNanos = System.nanoTime();
        boolean probe = breaker != null && breaker.isHalfOpen();
        probeInFlight |= probe;
        inFlight.add(call);
        attempts++;
        CompletableFuture<Void> released = new CompletableFuture<>();
        java.util.concurrent.Callable<CompletionStage<Done>> body = () -> {
            CompletionStage<Void> sent;
            try {
                sent = call.attempt() instanceof Send send ? sinks.get(send.target()).send(send.record())
                        : ((Run) call.attempt()).body().get();
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            sent.whenComplete((ok, error) -> released.complete(null));
            // Not the sink's null: Pekko's Java failure function wraps the result in Optional.of and throws on null.
            return sent.thenApply(ok -> Done.getInstance());
        };
        CompletionStage<Done> result;
        if (breaker == null) {
            try {
                result = body.call();
            } catch (Exception e) {
                result = CompletableFuture.failedFuture(e);
            }
        } else {
            result = breaker.callWithCircuitBreakerCS(body, (ok, error) -> error.isPresent() && tripsBreaker(unwrap(error.get())));
        }
        CompletableFuture<Throwable> outcome = result.toCompletableFuture().handle((ok, error) -> {
            Throwable failure = error == null ? null : unwrap(error);
            if (failure instanceof CircuitBreakerOpenException) {
                released.complete(null); // the breaker refused: the sink was not called
            }
            return failure;
        });
        getContext().pipeToSelf(outcome.thenCombine(released, (failure, x) -> failure),
                (failure, never) -> new Finished(call, startedAt, startNanos, probe, failure));
    }

    private Behavior<Command> onFinished(Finished finished) {
        Call call = finished.call();
        if (finished.probe()) {
            probeInFlight = false;
        }
        Throwable failure = finished.failure();
        if (failure instanceof CircuitBreakerOpenException) {
            // The breaker opened between our check and the call: the sink was not called, so this was no attempt.
            inFlight.remove(call);
            attempts--;
            waiting.addFirst(call);
            return drain();
        }
        if (failure instanceof TimeoutException && breaker != null) {
            failure = new RetriableException("timeout", settings.name() + " did not answer within the circuit breaker's call-timeout ("
                    + policy.breaker().callTimeout().toMillis() + "ms)", null);
        }
        long now = System.currentTimeMillis();
        inFlight.remove(call);
        if (failure == null) {
            delivered += call.attempt() instanceof Send ? 1 : 0;
            lastSuccess = now;
        } else {
            onFailure(failure, now);
        }
        long millis = (System.nanoTime() - finished.startNanos()) / 1_000_000;
        call.reply().complete(new CallResult.Attempted(finished.startedAt(), millis, failure));
        return drain();
    }

    private void onFailure(Throwable failure, long now) {
        failed++;
        String errorClass = errorClass(failure);
        String detail = String.valueOf(failure.getMessage());
        recentFailures.record(errorClass, now);
        lastFailure = new SystemStatus.Failure(Instant.ofEpochMilli(now).toString(), errorClass, detail);
        if (tripsBreaker(failure)) {
            breakerLastError = errorClass + ": " + detail;
        }
        if (failure instanceof RetriableException r && r.retryAfter().isPresent() && !r.retryAfter().get().isNegative()) {
            Pause pause = new Pause(settings.name(), r.retryAfter().get().toMillis(), errorClass + ": " + detail);
            onPaused(pause);
            topic.tell(Topic.publish(pause));
        }
    }


    private Behavior<Command> onBreakerChanged(BreakerChanged changed) {
        BreakerState state = breaker.isOpen() ? BreakerState.OPEN : breaker.isHalfOpen() ? BreakerState.HALF_OPEN : BreakerState.CLOSED;
        if (state != breakerState) {
            getContext().getLog().info("circuit breaker of {} is {}{}", settings.name(), state,
                    // No failure recorded yet: the breaker's own call-timeout opened it before the late calls finished.
                    state == BreakerState.OPEN ? " after " + (breakerLastError != null ? breakerLastError : "calls past its call-timeout") : "");
            breakerState = state;
            breakerSince = System.currentTimeMillis();
            Metrics.breaker(settings.name(), state == BreakerState.OPEN ? 2 : state == BreakerState.HALF_OPEN ? 1 : 0);
        }
        return drain();
    }

    private Behavior<Command> onPaused(Pause pause) {
        long until = System.currentTimeMillis() + pause.millis();
        if (until > pausedUntil) {
            pausedUntil = until;
            pauseReason = pause.reason();
            getContext().getLog().info("calls to {} paused for {} ms: {}", settings.name(), pause.millis(), pause.reason());
        }
        return drain();
    }

    private Behavior<Command> onMembersChanged(MembersChanged changed) {
        Member member = changed.event().member();
        String address = member.address().toString();
        if (member.status() == MemberStatus.down() || member.status() == MemberStatus.removed()) {
            members.remove(address);
        } else {
            members.add(address);
        }
        Pacer.Share share = share(policy.rateLimit().orElseThrow());
        if (!share.equals(rate.share())) {
            getContext().getLog().info("rate limit of {}: this node's share is {} per {} ({} members)", settings.name(),
                    share.permits(), share.per(), members.size());
            rate.resize(share);
        }
        return drain();
    }

    /**
     * This node's share of the system's rate limit: the limit is the cluster's, divided among the members that may call the
     * system (every member not down or removed: an unreachable node may still be calling, so it keeps its share until it is
     * downed). Every node sorts the members the same way, so each takes a different place.
     */
    private Pacer.Share share(ResilienceSettings.RateLimit limit) {
        String self = Cluster.get(getContext().getSystem()).selfMember().address().toString();
        return Pacer.shareOf(limit.permits(), limit.per(), java.util.List.copyOf(members), self);
    }

    private Behavior<Command> onGetStatus(GetStatus get) {
        long now = System.currentTimeMillis();
        String limit = policy.rateLimit().map(l -> l.permits() + " per " + l.per()).orElse(null);
        SystemStatus.Breaker b = new SystemStatus.Breaker(breakerState, Instant.ofEpochMilli(breakerSince).toString(),
                breaker == null ? 0 : breaker.currentFailureCount(), breakerLastError);
        get.replyTo().tell(new SystemStatus(settings.name(), settings.connector().name(), "running", b,
                pausedUntil > now ? Instant.ofEpochMilli(pausedUntil).toString() : null, pausedUntil > now ? pauseReason : null,
                limit, rate == null ? null : rate.share().permits() + " per " + rate.share().per(), inFlight.size(), policy.maxInFlight(), waiting.size(), attempts, delivered, failed,
                recentFailures.snapshot(now), lastSuccess == 0 ? null : Instant.ofEpochMilli(lastSuccess).toString(), lastFailure,
                health.restarts(), health.startFailure()));
        return this;
    }

    private Behavior<Command> onShutdown(Shutdown shutdown) {
        waiting.forEach(call -> call.reply().complete(new CallResult.NotAttempted("the node is shutting down")));
        waiting.clear();
        closeSinks().whenComplete((done, error) -> shutdown.replyTo().tell(Done.getInstance()));
        return Behaviors.stopped();
    }

    private CompletionStage<Void> closeSinks() {
        CompletableFuture<?>[] closing = sinks.values().stream().map(s -> {
            try {
                return s.close().toCompletableFuture().exceptionally(e -> null);
            } catch (RuntimeException e) {
                return CompletableFuture.completedFuture(null);
            }
        }).toArray(CompletableFuture[]::new);
        sinks.clear();
        return CompletableFuture.allOf(closing);
    }

    /** Transient failures and timeouts count; bad data (permanent) and rate-limit answers (throttled) say nothing of health. */
    private static boolean tripsBreaker(Throwable failure) {
        if (failure instanceof PermanentException) {
            return false;
        }
        return !(failure instanceof RetriableException r && r.isThrottled());
    }

    /** The failure's class as the connector classified it; an unclassified exception (a connector's bug) by its type. */
    public static String errorClass(Throwable failure) {
        return failure instanceof ConnectorException c ? c.errorClass() : failure.getClass().getSimpleName();
    }

    private static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while (current instanceof CompletionException && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }
}
