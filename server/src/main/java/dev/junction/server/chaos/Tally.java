package dev.junction.server.chaos;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Turns what was sent, how each accepted message ended and what the targets applied into a {@link ScenarioResult}. */
final class Tally {
    private static final Outcome UNKNOWN = new Outcome("unknown", Map.of(), List.of(), 0, List.of());
    private Tally() {}

    static ScenarioResult of(Scenario scenario, String prefix, List<Driven> driven, List<Sent> sent,
                             Map<String, Outcome> outcomes, Ledger ledger, Map<Integer, Integer> answers) {
        Map<String, Map<String, String>> systemsByIntegration = new java.util.HashMap<>();
        driven.forEach(d -> systemsByIntegration.put(d.integration(), d.targetSystems()));
        Map<String, Integer> rejected = new TreeMap<>();
        Map<String, Integer> refused = new TreeMap<>();
        Map<String, Integer> deadLettered = new TreeMap<>();
        Map<String, Sent> accepted = new java.util.LinkedHashMap<>();
        List<String> lost = new ArrayList<>();
        int duplicates = 0;
        int unanswered = 0;
        List<Long> ingest = new ArrayList<>();
        for (Sent s : sent) {
            if (s.ingestMillis() >= 0) {
                ingest.add(s.ingestMillis());
            }
            if (s.accepted()) {
                accepted.putIfAbsent(s.messageId(), s);
            } else if (s.answeredDuplicate()) {
                duplicates++;
            } else if (s.status() == 0 && s.problem() != null && s.problem().startsWith(Feed.PUT_IN)) {
                lost.add(s.key() + ": put in (" + s.problem().substring(Feed.PUT_IN.length()) + "), never accepted nor refused");
            } else if (s.status() == 0) {
                unanswered++;
            } else {
                (s.status() < 500 ? rejected : refused).merge(s.status() + " " + shortType(s.problem()), 1, Integer::sum);
            }
        }
        int delivered = 0;
        int filtered = 0;
        int retried = 0;
        int split = 0;
        int elements = 0;
        int elementsDelivered = 0;
        List<Long> endToEnd = new ArrayList<>();
        for (Sent s : accepted.values()) {
            Outcome o = outcomes.getOrDefault(s.messageId(), UNKNOWN);
            switch (o.status()) {
                case "delivered" -> {
                    delivered++;
                    checkEffects(s.messageId(), s.messageId() + " (key " + s.key() + ")", o, systemsByIntegration.get(s.integration()), ledger, lost);
                }
                case "filtered" -> filtered++;
                case "split" -> {
                    split++;
                    for (String element : o.children()) {
                        Outcome e = outcomes.getOrDefault(element, UNKNOWN);
                        elements++;
                        elementsDelivered += e.status().equals("delivered") ? 1 : 0;
                        String which = "element " + element + " of " + s.messageId() + " (key " + s.key() + ")";
                        if (e.status().equals("delivered")) {
                            checkEffects(element, which, e, systemsByIntegration.get(s.integration()), ledger, lost);
                        } else if (e.status().equals("dead-lettered")) {
                            deadLettered.merge(e.errorClasses().isEmpty() ? "unclassified" : e.errorClasses().get(0), 1, Integer::sum);
                        } else if (!e.settled()) {
                            lost.add(which + ": " + e.status() + " after the settle timeout");
                        }
                    }
                }
                // counted once per message, under its first dead-lettered target's class
                case "dead-lettered" -> deadLettered.merge(o.errorClasses().isEmpty() ? "unclassified" : o.errorClasses().get(0), 1, Integer::sum);
                case "discarded" -> deadLettered.merge("discarded", 1, Integer::sum);
                default -> lost.add(s.messageId() + " (key " + s.key() + "): " + o.status() + " after the settle timeout"
                        + (ledger.firstAppliedAt(s.messageId()) != null ? " (applied at a target, but Junction does not show it settled)" : ""));
            }
            retried += o.attempts() > 1 ? 1 : 0;
            Long applied = ledger.firstAppliedAt(s.messageId());
            if (applied != null) {
                endToEnd.add(Math.max(0, applied - s.sentAt()));
            }
        }
        Set<String> ids = new HashSet<>(accepted.keySet());
        Set<String> acknowledgedKeys = new HashSet<>();
        sent.stream().filter(s -> s.accepted() || s.answeredDuplicate()).forEach(s -> acknowledgedKeys.add(s.key()));
        int appliedThoughRefused = (int) sent.stream().map(Sent::key).distinct()
                .filter(k -> !acknowledgedKeys.contains(k) && ledger.appliedKey(k)).count();
        return new ScenarioResult(scenario.wire(), scenario.description(), sent.size(), accepted.size(), duplicates, rejected,
                refused, unanswered, delivered, retried, filtered, split, elements, elementsDelivered, deadLettered, lost, ledger.duplicateEffects(prefix),
                ledger.redelivered(ids), appliedThoughRefused, Latencies.of(ingest), Latencies.of(endToEnd), answers, List.of());
    }

    /** A delivered message must have left its effect at each HTTP or file target Junction says it was delivered to. */
    private static void checkEffects(String messageId, String label, Outcome o, Map<String, String> systemsByTarget, Ledger ledger,
                                     List<String> lost) {
        for (Map.Entry<String, String> t : o.targets().entrySet()) {
            String system = systemsByTarget.get(t.getKey());
            if (t.getValue().equals("delivered") && system != null && !ledger.appliedAt(system, messageId)) {
                lost.add(label + ": delivered per Junction, never applied at " + system);
            }
        }
    }

    /** {@code https://junction.dev/problems/invalid-body} → {@code invalid-body}. */
    private static String shortType(String type) {
        if (type == null) {
            return "";
        }
        int slash = type.lastIndexOf('/');
        return slash >= 0 && slash < type.length() - 1 ? type.substring(slash + 1) : type;
    }
}
