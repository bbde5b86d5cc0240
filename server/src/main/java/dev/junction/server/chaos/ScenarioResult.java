package dev.junction.server.chaos;

import java.util.List;
import java.util.Map;

/**
 * The figures of one scenario. Counts are of requests ({@code sent}, {@code rejected}, {@code refused}, {@code unanswered}) or
 * of accepted messages (the rest; {@code split}: messages a split step turned into {@code elements}, messages of their own,
 * followed like the others: {@code elementsDelivered} of them delivered, their dead letters in {@code deadLettered}, the
 * unsettled and the unapplied in {@code lost}; but {@code appliedThoughRefused}: keys never acknowledged to the source, refused or
 * unanswered, that a target applied all the same; {@code retried}: those that needed more than one attempt at a target); {@code lost} lists each accepted message that neither ended delivered, filtered or
 * dead-lettered within the settle timeout, nor (when delivered) left its effect at every target it was delivered to.
 */
record ScenarioResult(String scenario, String description, int sent, int accepted, int answeredDuplicate,
                      Map<String, Integer> rejected, Map<String, Integer> refused, int unanswered,
                      int delivered, int retried, int filtered, int split, int elements, int elementsDelivered, Map<String, Integer> deadLettered, List<String> lost,
                      List<String> duplicateEffects, int redelivered, int appliedThoughRefused, Latencies ingest, Latencies endToEnd,
                      Map<Integer, Integer> standInAnswers, List<Slos.Check> checks) {

    boolean passed() {
        return checks.stream().allMatch(Slos.Check::passed);
    }

    ScenarioResult withChecks(List<Slos.Check> checked) {
        return new ScenarioResult(scenario, description, sent, accepted, answeredDuplicate, rejected, refused, unanswered,
                delivered, retried, filtered, split, elements, elementsDelivered, deadLettered, lost, duplicateEffects, redelivered, appliedThoughRefused, ingest, endToEnd, standInAnswers, checked);
    }
}
