package dev.junction.server.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.inbox.Envelope;
import dev.junction.server.inbox.DeliveryHandler;
import dev.junction.server.inbox.MappingChoice;
import dev.junction.server.inbox.PendingDelivery;
import dev.junction.server.inbox.Settlement;
import dev.junction.server.inbox.Withdrawal;
import dev.junction.server.transform.Pipeline;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every revision of one integration loaded on this node, and which one is current. An envelope goes through the revision it
 * was accepted under, so a reload changes what happens to new messages only; a replay may ask for the current revision, or
 * for the mapping versions a dead letter was first mapped with. Thread-safe: a reload adds revisions while partitions deliver.
 */
public final class Revisions implements DeliveryHandler {
    private static final Logger log = LoggerFactory.getLogger(Revisions.class);
    private final String integration;
    private final Map<String, IntegrationDelivery> byRevision = new ConcurrentHashMap<>();
    private final Set<String> missingReported = ConcurrentHashMap.newKeySet();
    private volatile IntegrationDelivery current;

    Revisions(String integration, IntegrationDelivery first) {
        this.integration = integration;
        add(first);
    }

    /** Makes {@code revision} current; the earlier ones stay for the envelopes accepted under them. */
    void add(IntegrationDelivery revision) {
        byRevision.putIfAbsent(revision.revision(), revision);
        current = byRevision.get(revision.revision());
    }

    public IntegrationDelivery current() {
        return current;
    }

    /** The revisions loaded on this node, the current one included. */
    public Set<String> loaded() {
        return Set.copyOf(byRevision.keySet());
    }

    @Override
    public CompletionStage<Settlement> deliver(PendingDelivery pending, Withdrawal withdrawal) {
        IntegrationDelivery chosen = pending.mappings() == MappingChoice.CURRENT ? current : byRevision.get(pending.envelope().revision());
        Map<String, Integer> pinned = pending.mappings() == MappingChoice.ORIGINAL ? pins(pending.pinned()) : Map.of();
        if (chosen == null) {
            // Accepted under a revision this node no longer has (the integration changed before a restart): the current
            // revision's steps and targets, with the mapping versions the envelope was accepted under.
            chosen = current;
            if (pinned.isEmpty()) {
                pinned = pins(pending.envelope().mappings());
            }
            if (missingReported.add(pending.envelope().revision())) {
                log.warn("revision {} of {} is not loaded on this node (the integration changed before a restart); its envelopes "
                        + "go through the current revision {} with the mapping versions they were accepted under {}",
                        pending.envelope().revision(), integration, chosen.revision(), pending.envelope().mappings());
            }
        }
        return chosen.deliver(pending, pinned, new EnvelopeTicket(withdrawal));
    }

    @Override
    public void withdrawalAsked() {
        current.sweepWithdrawn();
    }

    /**
     * The outputs of the map steps in {@code delivery} of {@code envelope}, by step index, computed again from the raw original:
     * through the revision it went through (the current one if that is no longer loaded), with the mapping versions it
     * recorded. A step whose label differs from the one recorded (the steps changed since) is left out, as is everything when
     * the raw original is not JSON or was mapped with lookup table versions other than those loaded. Deterministic mappings give what they gave then; the others' outputs are recorded instead.
     */
    public Map<Integer, JsonNode> recompute(Envelope envelope, Settlement delivery, ObjectMapper json) {
        IntegrationDelivery through = byRevision.getOrDefault(delivery.revision(), current);
        if (!through.lookups().equals(delivery.lookups())) {
            return Map.of(); // mapped with lookup tables this node no longer has: computing again would show other outputs
        }
        JsonNode input;
        try {
            input = json.readTree(envelope.raw());
        } catch (java.io.IOException e) {
            return Map.of();
        }
        Map<Integer, String> recorded = new HashMap<>();
        delivery.steps().forEach(s -> recorded.put(s.index(), s.step()));
        Map<Integer, JsonNode> outputs = new HashMap<>();
        for (Pipeline.Trace trace : through.pipeline().apply(input, envelope.firstStep(), pins(delivery.mappingVersions())).traces()) {
            if (trace.output() != null && trace.step().equals(recorded.get(trace.index()))) {
                outputs.put(trace.index(), trace.output());
            }
        }
        return outputs;
    }

    /** {@code order-to-erp.jslt@v1} → order-to-erp.jslt = 1. */
    static Map<String, Integer> pins(List<String> tags) {
        Map<String, Integer> pins = new HashMap<>();
        for (String tag : tags) {
            int at = tag.lastIndexOf("@v");
            if (at > 0) {
                pins.put(tag.substring(0, at), Integer.parseInt(tag.substring(at + 2)));
            }
        }
        return pins;
    }
}
