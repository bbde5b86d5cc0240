package dev.junction.server.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The chaos report: a table for people, and the same figures as JSON for CI ({@code --report}). */
final class Report {
    private static final String ROW = "%-14s %6s %8s %5s %8s %7s %9s %7s %8s %5s %5s %5s %6s  %-14s %-22s %s%n";

    private Report() {}

    static void print(String heading, Map<String, String> notDriven, List<ScenarioResult> results, PrintStream out) {
        out.println(heading);
        notDriven.forEach((integration, why) -> out.println("  not driven: " + integration + ": " + why));
        out.println();
        out.printf(ROW, "scenario", "sent", "accepted", "dup", "rejected", "refused", "delivered", "retried", "filtered", "dead", "lost",
                "dup-e", "redel", "ingest p50/p99", "end-to-end p50/p99/max", "SLO");
        for (ScenarioResult r : results) {
            out.printf(ROW, r.scenario(), r.sent(), r.accepted(), r.answeredDuplicate(), sum(r.rejected()), sum(r.refused()),
                    r.delivered(), r.retried(), r.filtered(), sum(r.deadLettered()), r.lost().size(), r.duplicateEffects().size(),
                    r.redelivered(), ms(r.ingest(), "p50", "p99"), ms(r.endToEnd(), "p50", "p99", "max"), r.passed() ? "PASS" : "FAIL");
        }
        out.println();
        out.println("dup: answered as a duplicate of an accepted key (200); retried: delivered or dead-lettered after more "
                + "than one attempt; dead: dead-lettered; dup-e: keys applied at a target as "
                + "more than one message (duplicate effects); redel: messages applied again with the same key (harmless to a "
                + "target that honours Idempotency-Key); times in ms");
        for (ScenarioResult r : results) {
            out.println();
            out.println(r.scenario() + ": " + r.description());
            if (r.split() > 0) {
                out.println("  split: " + r.split() + " messages into " + r.elements() + " elements, " + r.elementsDelivered()
                        + " of them delivered (the elements' dead letters and losses are in the figures above)");
            }
            if (r.unanswered() > 0) {
                out.println("  unanswered requests: " + r.unanswered());
            }
            detail(out, "rejected (4xx)", r.rejected());
            detail(out, "refused (5xx)", r.refused());
            if (r.appliedThoughRefused() > 0) {
                out.println("  never acknowledged, yet applied at a target: " + r.appliedThoughRefused() + " keys (a refusal is not a "
                        + "promise that nothing happens: the source's retry with the same key is answered as a duplicate)");
            }
            detail(out, "dead-lettered by error class", r.deadLettered());
            if (!r.standInAnswers().isEmpty()) {
                out.println("  the stand-ins answered: " + r.standInAnswers());
            }
            examples(out, "lost", r.lost());
            examples(out, "duplicate effects", r.duplicateEffects());
            for (Slos.Check c : r.checks()) {
                out.printf("  %s %s <= %s: %s%n", c.passed() ? "pass" : "FAIL", c.name(), c.limit(),
                        c.actual() == null ? "not measured" : c.actual());
            }
        }
    }

    static void writeJson(Path file, String config, Map<String, String> notDriven, List<ScenarioResult> results) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("config", config);
        json.put("notDriven", notDriven);
        json.put("passed", results.stream().allMatch(ScenarioResult::passed));
        json.put("scenarios", results.stream().map(Report::json).toList());
        Files.createDirectories(file.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
    }

    private static Map<String, Object> json(ScenarioResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", r.scenario());
        m.put("description", r.description());
        m.put("passed", r.passed());
        m.put("sent", r.sent());
        m.put("accepted", r.accepted());
        m.put("answeredDuplicate", r.answeredDuplicate());
        m.put("rejected", r.rejected());
        m.put("refused", r.refused());
        m.put("unanswered", r.unanswered());
        m.put("delivered", r.delivered());
        m.put("retried", r.retried());
        m.put("filtered", r.filtered());
        m.put("split", r.split());
        m.put("elements", r.elements());
        m.put("elementsDelivered", r.elementsDelivered());
        m.put("deadLettered", r.deadLettered());
        m.put("lost", r.lost());
        m.put("duplicateEffects", r.duplicateEffects());
        m.put("redelivered", r.redelivered());
        m.put("appliedThoughRefused", r.appliedThoughRefused());
        m.put("ingestMillis", percentiles(r.ingest()));
        m.put("endToEndMillis", percentiles(r.endToEnd()));
        m.put("standInAnswers", r.standInAnswers());
        m.put("slos", r.checks());
        return m;
    }

    private static Map<String, Object> percentiles(Latencies l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("samples", l.count());
        for (String p : List.of("p50", "p90", "p95", "p99", "max")) {
            m.put(p, l.percentile(p));
        }
        return m;
    }

    private static void detail(PrintStream out, String what, Map<String, Integer> counts) {
        if (!counts.isEmpty()) {
            out.println("  " + what + ": " + counts);
        }
    }

    private static void examples(PrintStream out, String what, List<String> items) {
        if (!items.isEmpty()) {
            out.println("  " + what + " (" + items.size() + "), e.g.:");
            items.stream().limit(5).forEach(i -> out.println("    " + i));
        }
    }

    private static int sum(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static String ms(Latencies l, String... names) {
        if (l.count() == 0) {
            return "-";
        }
        return String.join("/", java.util.Arrays.stream(names).map(n -> String.valueOf(l.percentile(n))).toList());
    }
}
