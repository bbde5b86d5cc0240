package dev.junction.server.reload;

import dev.junction.server.serialization.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configuration for the cluster. A change accepted on one node (a {@code PUT} of the file, a reload, or a change of the
 * file on its disk) is applied by every node or refused by all, in two rounds: every member checks the proposed text against
 * its own connectors, environment and files ({@link Reloader#check}), and only when all of them found nothing wrong does each
 * write it as its configuration file and apply it ({@link Reloader#replace}). A member that does not answer the check in
 * time refuses the change (it could not be told). Every node registers with the receptionist, and each answers which
 * revision of each integration it runs ({@link #revisions}), so the admin API shows a node that lags. One node alone
 * applies its changes as before. Thread-safe.
 */
public final class ClusterReload {
    private static final Logger log = LoggerFactory.getLogger(ClusterReload.class);
    private static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "junction-configuration");
    /** A check reads the proposed file and every schema and mapping it names: seconds on a busy node. */
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration REVISIONS_TIMEOUT = Duration.ofSeconds(3);

    public sealed interface Command extends CborSerializable {}

    record Check(String text, ActorRef<Checked> replyTo) implements Command {}

    record Checked(String node, List<String> problems) implements CborSerializable {}

    record Apply(String text, ActorRef<Applied> replyTo) implements Command {}

    record Applied(String node, boolean applied, List<String> changes, List<String> problems) implements CborSerializable {}

    record GetRevisions(ActorRef<NodeRevisions> replyTo) implements Command {}

    record GetText(ActorRef<Current> replyTo) implements Command {}

    /** A node's configuration file, and when it last changed there (epoch ms: its start, or the last change it applied). */
    record Current(String node, String text, long changedAt) implements CborSerializable {}

    /** The revision of each integration a node runs, by integration, and the last change it made or refused (null: none). */
    public record NodeRevisions(String node, Map<String, String> revisions, LastChange last) implements CborSerializable {}

    /**
     * The last change of the configuration a node took part in: when (ISO-8601), whether it was applied, what changed or why it
     * was refused, and the node that was asked for it.
     */
    public record LastChange(String at, boolean applied, List<String> changes, List<String> problems, String askedOf)
            implements CborSerializable {}

    /** Every member's revisions (null: did not answer) and the newest change any of them knows of (null: none since start). */
    public record ClusterRevisions(Map<String, Map<String, String>> byNode, LastChange last) {}

    private final ActorSystem<?> system;
    private final Reloader reloader;
    private final Executor blocking;
    private final String self;
    /** When this node's configuration last changed: its start, then each change it applied. */
    private volatile long changedAt = System.currentTimeMillis();
    private volatile LastChange last;

    private ClusterReload(ActorSystem<?> system, Reloader reloader, Executor blocking) {
        this.system = system;
        this.reloader = reloader;
        this.blocking = blocking;
        this.self = Cluster.get(system).selfMember().address().toString();
    }

    /** Registers this node and makes every change of its configuration file a change of the cluster's. */
    public static ClusterReload start(ActorSystem<?> system, Reloader reloader, Executor blocking) {
        ClusterReload cluster = new ClusterReload(system, reloader, blocking);
        ActorRef<Command> node = system.systemActorOf(Behaviors.receive(Command.class)
                .onMessage(Check.class, c -> {
                    CompletableFuture<List<String>> checking = CompletableFuture.supplyAsync(() -> reloader.check(c.text()), blocking);
                    checking.whenComplete((problems, e) -> c.replyTo().tell(new Checked(cluster.self,
                            e != null ? List.of("the check failed: " + e) : problems)));
                    return Behaviors.same();
                })
                .onMessage(Apply.class, a -> {
                    reloader.replaceAsync(a.text()).whenComplete((outcome, e) -> {
                        if (e == null && outcome.applied() && !outcome.changes().isEmpty()) {
                            cluster.changedAt = System.currentTimeMillis();
                            cluster.remember(outcome, "another node");
                        }
                        a.replyTo().tell(e != null ? new Applied(cluster.self, false, List.of(), List.of(e.toString()))
                                : new Applied(cluster.self, outcome.applied(), outcome.changes(), outcome.problems()));
                    });
                    return Behaviors.same();
                })
                .onMessage(GetText.class, g -> {
                    CompletableFuture.supplyAsync(() -> {
                        try {
                            return reloader.currentText();
                        } catch (java.io.IOException e) {
                            return null;
                        }
                    }, blocking).thenAccept(text -> {
                        if (text != null) {
                            g.replyTo().tell(new Current(cluster.self, text, cluster.changedAt));
                        }
                    });
                    return Behaviors.same();
                })
                .onMessage(GetRevisions.class, g -> {
                    g.replyTo().tell(new NodeRevisions(cluster.self, reloader.revisions(), cluster.last));
                    return Behaviors.same();
                })
                .build(), "configuration", org.apache.pekko.actor.typed.Props.empty());
        system.receptionist().tell(Receptionist.register(KEY, node));
        reloader.onFileChange(cluster::replace);
        cluster.joinTheCluster(0, 0);
        return cluster;
    }

    /**
     * A node that joins a running cluster takes its configuration, unless its own file changed after the cluster's last
     * change: then its file is the newer one and is offered to the cluster like any change (applied everywhere or refused).
     * Its own file, replaced, is kept beside it as {@code .<name>.before-cluster}. The first node of a cluster runs its file.
     */
    private void joinTheCluster(int waitedForUp, int asked) {
        if (Cluster.get(system).selfMember().status() != MemberStatus.up()) {
            if (waitedForUp < 120) {
                system.scheduler().scheduleOnce(Duration.ofSeconds(1), () -> joinTheCluster(waitedForUp + 1, asked), system.executionContext());
            }
            return;
        }
        nodes().thenCompose(nodes -> {
            ActorRef<Command> other = nodes.stream().filter(n -> !n.path().address().hasLocalScope()).findFirst().orElse(null);
            return other == null ? CompletableFuture.completedFuture(null)
                    : ask(other, GetText::new, CHECK_TIMEOUT).exceptionally(e -> null);
        }).thenAcceptAsync(current -> {
            if (current == null) {
                if (members().size() > 1 && asked < 30) { // the others have not registered with this node's receptionist yet
                    system.scheduler().scheduleOnce(Duration.ofSeconds(1), () -> joinTheCluster(waitedForUp, asked + 1), system.executionContext());
                } else if (members().size() > 1) {
                    log.warn("no other node told this node the cluster's configuration; it runs its own file");
                }
                return;
            }
            try {
                String mine = reloader.currentText();
                if (mine.equals(current.text())) {
                    return;
                }
                long myFileChanged = reloader.fileChangedAt();
                if (myFileChanged > current.changedAt()) {
                    log.info("this node's configuration file changed after the cluster's last change: it is offered to the cluster");
                    replace(mine);
                } else {
                    reloader.keepAside(".before-cluster");
                    Reloader.Outcome outcome = reloader.replace(current.text());
                    if (outcome.applied()) {
                        changedAt = System.currentTimeMillis();
                        log.warn("this node's configuration file differed from the running cluster's: it runs the cluster's (from {}); "
                                + "its own file is kept beside it, named .<file>.before-cluster", current.node());
                    } else {
                        log.error("this node cannot run the cluster's configuration and runs its own, which differs:\n  {}",
                                String.join("\n  ", outcome.problems()));
                    }
                }
            } catch (java.io.IOException e) {
                log.error("this node cannot read its configuration file to compare it with the cluster's: {}", e.toString());
            }
        }, blocking);
    }

    /** This node's configuration file, read again and offered to the cluster. */
    public CompletionStage<Reloader.Outcome> reload() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return reloader.currentText();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, blocking).thenCompose(this::replace)
                .exceptionally(e -> new Reloader.Outcome(false, List.of(), List.of("the configuration file cannot be read: " + e.getMessage())));
    }

    /** {@code text} as every node's configuration, or as none's: the problems of every node that refused it. */
    public CompletionStage<Reloader.Outcome> replace(String text) {
        return distribute(text).thenApply(outcome -> {
            remember(outcome, self);
            return outcome;
        });
    }

    private void remember(Reloader.Outcome outcome, String askedOf) {
        last = new LastChange(java.time.Instant.now().toString(), outcome.applied(), outcome.changes(), outcome.problems(), askedOf);
    }

    private CompletionStage<Reloader.Outcome> distribute(String text) {
        return nodes().thenCompose(nodes -> {
            if (nodes.size() <= 1 && members().size() <= 1) {
                return reloader.replaceAsync(text); // alone: no round of checks
            }
            List<CompletableFuture<Checked>> checks = nodes.stream().map(n -> ask(n, (ActorRef<Checked> r) -> new Check(text, r),
                    CHECK_TIMEOUT).exceptionally(e -> null)).toList();
            return all(checks).thenCompose(checked -> {
                List<String> problems = new ArrayList<>();
                Set<String> answered = new TreeSet<>();
                for (Checked c : checked) {
                    if (c != null) {
                        answered.add(c.node());
                        c.problems().forEach(p -> problems.add(prefix(c.node(), p)));
                    }
                }
                for (String member : members()) {
                    if (!answered.contains(member)) {
                        problems.add("node " + member + " did not answer the check within " + CHECK_TIMEOUT.toSeconds()
                                + " s: the change is applied everywhere or nowhere");
                    }
                }
                if (!problems.isEmpty()) {
                    return CompletableFuture.completedFuture(new Reloader.Outcome(false, List.of(), problems));
                }
                List<CompletableFuture<Applied>> applies = nodes.stream().map(n -> ask(n, (ActorRef<Applied> r) -> new Apply(text, r),
                        APPLY_TIMEOUT).exceptionally(e -> new Applied("a node", false, List.of(), List.of("no answer: " + e)))).toList();
                return all(applies).thenApply(this::outcome);
            });
        });
    }

    /** Which revision of each integration every member runs (a member that does not answer maps to null), and the last change. */
    public CompletionStage<ClusterRevisions> revisions() {
        return nodes().thenCompose(nodes -> all(nodes.stream().map(n -> ask(n, GetRevisions::new, REVISIONS_TIMEOUT)
                .exceptionally(e -> null)).toList())).thenApply(answers -> {
                    Map<String, Map<String, String>> byNode = new TreeMap<>();
                    members().forEach(m -> byNode.put(m, null));
                    LastChange newest = last;
                    for (NodeRevisions a : answers) {
                        if (a != null) {
                            byNode.put(a.node(), a.revisions());
                            if (a.last() != null && (newest == null || a.last().at().compareTo(newest.at()) > 0)) {
                                newest = a.last();
                            }
                        }
                    }
                    return new ClusterRevisions(byNode, newest);
                });
    }

    public String self() {
        return self;
    }

    private Reloader.Outcome outcome(List<Applied> applied) {
        List<String> changes = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Applied a : applied) {
            if (a.node().equals(self)) {
                changes.addAll(0, a.changes());
            } else if (!a.changes().isEmpty()) {
                changes.add("node " + a.node() + ": " + a.changes().size() + " change(s) applied");
            }
            a.problems().forEach(p -> problems.add(prefix(a.node(), p)));
        }
        if (!problems.isEmpty()) {
            // Every node found the text sound a moment ago: one failing now (its disk, a file changed meanwhile) is rare.
            log.error("a configuration every node had checked was not applied everywhere:\n  {}", String.join("\n  ", problems));
        }
        return new Reloader.Outcome(problems.isEmpty(), changes, problems);
    }

    private String prefix(String node, String problem) {
        return node.equals(self) ? problem : "node " + node + ": " + problem;
    }

    private CompletionStage<Set<ActorRef<Command>>> nodes() {
        return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(), r -> Receptionist.find(KEY, r),
                REVISIONS_TIMEOUT, system.scheduler()).thenApply(listing -> listing.getServiceInstances(KEY));
    }

    private Set<String> members() {
        Set<String> members = new TreeSet<>();
        Cluster.get(system).state().getMembers().forEach(m -> {
            if (m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp() || m.status() == MemberStatus.leaving()) {
                members.add(m.address().toString());
            }
        });
        return members;
    }

    private <T> CompletableFuture<T> ask(ActorRef<Command> node, org.apache.pekko.japi.function.Function<ActorRef<T>, Command> message,
                                         Duration timeout) {
        return AskPattern.ask(node, message, timeout, system.scheduler()).toCompletableFuture();
    }

    private static <T> CompletableFuture<List<T>> all(List<CompletableFuture<T>> futures) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(x -> futures.stream().map(CompletableFuture::join).toList());
    }
}
