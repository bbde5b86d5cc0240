package dev.junction.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.server.inbox.DeadLetters;
import dev.junction.server.inbox.Envelope;
import dev.junction.server.inbox.Messages;
import dev.junction.server.inbox.Settlement;
import dev.junction.server.masking.Redactor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON shape of a message's lineage. Times are ISO-8601 instants. */
final class MessageJson {
    private MessageJson() {}

    /**
     * One message's lineage. {@code status} is pending, delivered, filtered, dead-lettered, discarded or split (its elements
     * are messages of their own, listed in the last delivery's {@code children}); {@code targets} is each target's latest end.
     * A message published to a channel lists each subscriber's copy in {@code children}; a copy names it as its {@code parentId}.
     */
    record View(String messageId, String integration, int partition, String idempotencyKey, String receivedAt, String revision,
                String parentId, String traceId, String contentType, String rawEncoding, String raw, Map<String, String> headers, String status,
                Map<String, String> targets, List<Delivery> deliveries, List<DeadLetterJson.Operation> operations) {}

    /**
     * One pass through the steps to the targets: the first delivery, then one per replay. {@code lookups} is the version of
     * each lookup table the revision's steps name ({@code store-accounts@3f2a1b0c9d8e}).
     */
    record Delivery(String settledAt, String revision, List<String> mappingVersions, List<String> lookups, List<Step> steps,
                    List<Target> targets, List<String> children) {}

    /**
     * What one step did; {@code output} is a map step's result (validate and filter do not change the message), or an enrich
     * step's record of what it read: the path (per element with {@code for-each}) and whether the cache answered. It was
     * recorded when the message went through ({@code outputRecomputed} false) or, for a deterministic mapping, computed again
     * now from the raw original with the recorded version ({@code true}); null when it can no longer be computed.
     */
    record Step(int index, String step, String version, JsonNode output, Boolean outputRecomputed) {}

    /** Computes the map steps' outputs of one delivery again, by step index. */
    interface Recompute {
        Map<Integer, JsonNode> outputs(Envelope envelope, Settlement delivery);
    }

    record Target(String target, String system, String status, String errorClass, String detail, int attempts,
                  List<DeadLetterJson.Attempt> history) {}

    /** The lineage with what {@code shown} masks masked ({@link Redactor#NONE}: as it is, for an audited reveal). */
    static View view(Messages.Lineage lineage, Recompute recompute, Redactor shown) {
        Envelope e = lineage.envelope();
        DeadLetterJson.Raw raw = DeadLetterJson.raw(e.raw(), shown);
        Map<String, String> latest = new LinkedHashMap<>();
        for (Settlement s : lineage.deliveries()) {
            s.targets().forEach(t -> latest.put(t.target(), status(t.status())));
        }
        for (DeadLetters.Operation o : lineage.operations()) {
            if (o.action().equals("discarded")) {
                o.targets().forEach(t -> latest.put(t, "discarded"));
            }
        }
        return new View(e.messageId(), e.integration(), e.partition(), e.idempotencyKey(), DeadLetterJson.time(e.receivedAt()),
                e.revision(), e.parentId(), dev.junction.connectors.api.TraceContext.traceId(e.headers()), e.contentType(), raw.encoding(),
                raw.text(), shown.values(e.headers()), status(lineage, latest), latest,
                lineage.deliveries().stream().map(d -> delivery(e, d, recompute, shown)).toList(),
                lineage.operations().stream().map(o -> DeadLetterJson.operation(o, shown)).toList());
    }

    private static String status(Messages.Lineage lineage, Map<String, String> latest) {
        if (lineage.pending() || lineage.deliveries().isEmpty()) {
            return "pending";
        }
        Settlement last = lineage.deliveries().get(lineage.deliveries().size() - 1);
        if (!last.children().isEmpty() && last.targets().isEmpty()) { // a channel's copies are children too, beside its targets
            return "split";
        }
        for (String status : List.of("dead-lettered", "delivered", "discarded")) {
            if (latest.containsValue(status)) {
                return status;
            }
        }
        return "filtered";
    }

    private static Delivery delivery(Envelope e, Settlement s, Recompute recompute, Redactor shown) {
        boolean anyMissing = s.steps().stream().anyMatch(step -> !step.version().isEmpty() && step.output().isEmpty());
        Map<Integer, JsonNode> again = anyMissing ? recompute.outputs(e, s) : Map.of();
        return new Delivery(DeadLetterJson.time(s.settledAt()), s.revision(), s.mappingVersions(), s.lookups(),
                s.steps().stream().map(step -> step.version().isEmpty() && step.output().isEmpty() ? new Step(step.index(), step.step(), step.version(), null, null)
                        : !step.output().isEmpty() ? new Step(step.index(), step.step(), step.version(), shown.json(DeadLetterJson.parsed(step.output())), false)
                        : new Step(step.index(), step.step(), step.version(), shown.json(again.get(step.index())), again.containsKey(step.index()) ? true : null))
                        .toList(),
                s.targets().stream().map(t -> {
                    DeadLetterJson.Target target = DeadLetterJson.target(t, shown);
                    return new Target(t.target(), t.system(), status(t.status()), t.errorClass(), target.detail(), t.attempts(), target.history());
                }).toList(),
                s.children());
    }

    private static String status(Settlement.Status status) {
        return switch (status) {
            case DELIVERED -> "delivered";
            case FILTERED -> "filtered";
            case DEAD_LETTERED -> "dead-lettered";
        };
    }
}
