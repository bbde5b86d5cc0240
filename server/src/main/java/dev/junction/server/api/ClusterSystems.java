package dev.junction.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.server.serialization.CborSerializable;
import dev.junction.server.system.BreakerState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The systems as the cluster sees them: every node answers with its own view of its systems (registered with the
 * receptionist), and the node that was asked merges them, so each node of the cluster gives the same answer. Per system:
 * calls in flight, queued, attempts and failures summed; recent failures merged by error class; the last success and the
 * last failure across nodes; each node's breaker, with a summary (open on how many nodes); and each node's whole view under
 * {@code nodes}. A node that does not answer within {@value #ANSWER_MILLIS} ms is listed as {@code unknown}; it never hides
 * the others. One node alone answers as before, with {@code nodes} holding itself. Thread-safe.
 */
final class ClusterSystems {
    /** Longer than a node takes to answer for a system whose actor does not (Systems: 2 s), so that answer still counts. */
    static final long ANSWER_MILLIS = 3000;
    private static final ServiceKey<Ask> KEY = ServiceKey.create(Ask.class, "junction-systems-view");
    private static final List<String> SUMMED = List.of("inFlight", "maxInFlight", "queued", "attempts", "delivered", "failed", "restarts");

    /** Asks one node for its view: the JSON of its systems, as this node's {@link SystemRoutes} would answer alone. */
    record Ask(ActorRef<NodeView> replyTo) implements CborSerializable {}

    /** One node's systems, as JSON text ({@code [ {system}, … ]}): the records stay this node's own business. */
    record NodeView(String node, String systems) implements CborSerializable {}

    private final ActorSystem<?> system;
    private final Supplier<CompletionStage<List<ObjectNode>>> local;
    private final String self;

    private ClusterSystems(ActorSystem<?> system, Supplier<CompletionStage<List<ObjectNode>>> local, String self) {
        this.system = system;
        this.local = local;
        this.self = self;
    }

    /** Registers this node's view (made by {@code local} when asked) and returns the merger of every node's. */
    static ClusterSystems start(ActorSystem<?> system, Supplier<CompletionStage<List<ObjectNode>>> local) {
        String self = Cluster.get(system).selfMember().address().toString();
        ActorRef<Ask> answering = system.systemActorOf(Behaviors.receive(Ask.class).onMessage(Ask.class, ask -> {
            local.get().whenComplete((views, failure) -> ask.replyTo().tell(new NodeView(self, failure != null ? "[]" : write(views))));
            return Behaviors.same();
        }).build(), "systems-view", org.apache.pekko.actor.typed.Props.empty());
        system.receptionist().tell(Receptionist.register(KEY, answering));
        return new ClusterSystems(system, local, self);
    }

    /** Every system, merged over the nodes, in the order the nodes list them. */
    CompletionStage<List<ObjectNode>> all() {
        return views().thenApply(ClusterSystems::merge);
    }

    /** Every node's view, by node address; a node that did not answer maps to null. */
    private CompletionStage<Map<String, JsonNode>> views() {
        Duration timeout = Duration.ofMillis(ANSWER_MILLIS);
        return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(), r -> Receptionist.find(KEY, r), timeout,
                        system.scheduler())
                .exceptionally(e -> null) // the receptionist too busy to answer: this node's view alone
                .thenCompose(listing -> {
                    // This node's own view is not asked with a timeout: it always answers (for a system whose actor does not,
                    // after Systems' own wait), and the answering node must never list itself as unknown.
                    List<CompletableFuture<NodeView>> answers = new ArrayList<>();
                    CompletableFuture<List<ObjectNode>> own = local.get().toCompletableFuture().exceptionally(e -> null);
                    for (ActorRef<Ask> node : listing == null ? Set.<ActorRef<Ask>>of() : listing.getServiceInstances(KEY)) {
                        if (node.path().address().hasLocalScope()) {
                            continue;
                        }
                        answers.add(AskPattern.<Ask, NodeView>ask(node, Ask::new, timeout, system.scheduler()).toCompletableFuture()
                                .exceptionally(e -> null));
                    }
                    List<CompletableFuture<?>> all = new ArrayList<>(answers);
                    all.add(own);
                    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(x -> {
                        Map<String, JsonNode> byNode = new TreeMap<>();
                        for (String member : members()) {
                            byNode.put(member, null); // unknown until it answers
                        }
                        List<ObjectNode> mine = own.join();
                        if (mine != null) {
                            byNode.put(self, AdminApi.JSON.valueToTree(mine));
                        }
                        for (CompletableFuture<NodeView> answer : answers) {
                            NodeView view = answer.join();
                            if (view != null) {
                                byNode.put(view.node(), read(view.systems()));
                            }
                        }
                        return byNode;
                    });
                });
    }

    private Set<String> members() {
        Set<String> members = new TreeSet<>();
        Cluster.get(system).state().getMembers().forEach(m -> {
            if (m.status() != MemberStatus.down() && m.status() != MemberStatus.removed()) {
                members.add(m.address().toString());
            }
        });
        return members;
    }

    private static String write(List<ObjectNode> views) {
        try {
            return AdminApi.JSON.writeValueAsString(views);
        } catch (JsonProcessingException e) {
            return "[]";
        }
    }

    private static JsonNode read(String json) {
        try {
            return AdminApi.JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** The systems of every view, merged by name. */
    static List<ObjectNode> merge(Map<String, JsonNode> views) {
        Map<String, Map<String, JsonNode>> bySystem = new LinkedHashMap<>(); // system -> node -> its status
        views.forEach((node, systems) -> {
            if (systems != null) {
                systems.forEach(s -> bySystem.computeIfAbsent(s.path("name").asText(), n -> new TreeMap<>()).put(node, s));
            }
        });
        List<ObjectNode> merged = new ArrayList<>();
        bySystem.forEach((name, byNode) -> merged.add(mergeOne(byNode, views)));
        return merged;
    }

    private static ObjectNode mergeOne(Map<String, JsonNode> byNode, Map<String, JsonNode> views) {
        ObjectNode first = byNode.values().iterator().next().deepCopy();
        for (String field : SUMMED) {
            first.put(field, byNode.values().stream().mapToLong(s -> s.path(field).asLong()).sum());
        }
        ObjectNode failures = AdminApi.JSON.createObjectNode();
        byNode.values().forEach(s -> s.path("recentFailures").fields()
                .forEachRemaining(f -> failures.put(f.getKey(), failures.path(f.getKey()).asLong() + f.getValue().asLong())));
        first.set("recentFailures", failures);
        first.put("lastSuccess", latest(byNode, s -> s.path("lastSuccess")));
        JsonNode lastFailure = null;
        for (JsonNode s : byNode.values()) {
            JsonNode f = s.path("lastFailure");
            if (f.isObject() && (lastFailure == null || f.path("at").asText().compareTo(lastFailure.path("at").asText()) > 0)) {
                lastFailure = f;
            }
        }
        first.set("lastFailure", lastFailure);
        first.put("pausedUntil", latest(byNode, s -> s.path("pausedUntil")));
        // The most troubled node speaks for the cluster: its breaker and its state, the others are under nodes.
        JsonNode worst = byNode.values().stream().max(java.util.Comparator.comparingInt(ClusterSystems::trouble)).orElseThrow();
        first.set("circuitBreaker", worst.path("circuitBreaker"));
        first.set("state", worst.path("state"));
        ArrayNode sources = AdminApi.JSON.createArrayNode();
        byNode.forEach((node, s) -> s.path("sources").forEach(source -> sources.add(((ObjectNode) source.deepCopy()).put("node", node))));
        first.set("sources", sources);
        long open = byNode.values().stream().filter(s -> s.path("circuitBreaker").path("state").asText().equals(BreakerState.OPEN.toString())).count();
        long unknown = views.values().stream().filter(v -> v == null).count();
        ObjectNode breakers = first.putObject("circuitBreakers");
        breakers.put("openOn", open);
        breakers.put("nodes", byNode.size() + unknown);
        breakers.put("summary", open == 0 ? (unknown == 0 ? "closed everywhere" : "closed on every node that answered")
                : open == byNode.size() && unknown == 0 ? "open everywhere" : "open on " + open + " of " + (byNode.size() + unknown) + " nodes");
        ArrayNode nodes = first.putArray("nodes");
        views.forEach((node, systems) -> {
            JsonNode own = byNode.get(node);
            if (own != null) {
                nodes.addObject().put("node", node).put("answered", true).set("status", own);
            } else {
                nodes.addObject().put("node", node).put("answered", false).put("state", "unknown");
            }
        });
        return first;
    }

    /** How troubled a node's view of a system is: an open breaker, then a half-open one, then a connector not running. */
    private static int trouble(JsonNode status) {
        String breaker = status.path("circuitBreaker").path("state").asText();
        return (breaker.equals(BreakerState.OPEN.toString()) ? 4 : breaker.equals(BreakerState.HALF_OPEN.toString()) ? 2 : 0) + (status.path("state").asText().equals("running") ? 0 : 1);
    }

    private static String latest(Map<String, JsonNode> byNode, java.util.function.Function<JsonNode, JsonNode> field) {
        return byNode.values().stream().map(field).filter(JsonNode::isTextual).map(JsonNode::asText).max(String::compareTo).orElse(null);
    }
}
