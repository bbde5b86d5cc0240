package dev.junction.server.pipelinetest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.server.config.IntegrationSettings;
import dev.junction.server.config.TargetSettings;
import dev.junction.server.delivery.Routing;
import dev.junction.server.transform.Pipeline;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs one case in-process: the integration's {@link Pipeline} on the input, then each target's {@code when} through
 * {@link Routing}, as delivery does, and compares what came out with what the case expects. No sink is created and no system
 * contacted: "delivered" means the target would be sent the payload. Stateless.
 */
final class CaseRunner {
    private CaseRunner() {}

    /** A difference between what the case expects and what happened: where, and one line per difference. */
    record Failure(String where, List<String> lines) {}

    /** What a target's outcome would be; {@code payload} only when delivered. */
    private record Outcome(String status, String errorClass, String detail, JsonNode payload) {
        String describe() {
            return switch (status) {
                case "delivered" -> "delivered";
                case "filtered" -> "filtered by " + detail;
                default -> "dead-lettered, " + errorClass + ": " + detail;
            };
        }
    }

    static List<Failure> run(TestCase testCase, IntegrationSettings integration) {
        List<Failure> failures = new ArrayList<>();
        check(new Pipeline(integration.steps()), integration, testCase.expect(), testCase.input().json(), 0,
                testCase.input().idempotencyKey(), "", failures);
        return failures;
    }

    private static void check(Pipeline pipeline, IntegrationSettings integration, TestCase.Expect expect, JsonNode input, int fromStep,
                              String key, String prefix, List<Failure> failures) {
        Pipeline.Result result = pipeline.apply(input, fromStep, Map.of());
        for (TestCase.StepOutput step : expect.steps()) {
            String where = prefix + "step " + step.index() + " " + step.label();
            Optional<Pipeline.Trace> trace = result.traces().stream().filter(t -> t.index() == step.index()).findFirst();
            if (trace.isEmpty()) {
                failures.add(new Failure(where, List.of(step.index() < fromStep ? "not run for an element: it comes before the split"
                        : "no output: the message " + ended(result))));
                continue;
            }
            JsonNode actual = trace.get().output() != null ? trace.get().output() : before(result.traces(), step.index(), input);
            List<String> diff = JsonDiff.diff(step.output(), actual);
            if (!diff.isEmpty()) {
                failures.add(new Failure(where + ", output", diff));
            }
        }
        Map<String, Outcome> outcomes = outcomes(result, integration);
        expect.targets().forEach((name, expected) -> {
            List<String> names = name.equals("*") ? integration.targets().stream().map(TargetSettings::name).toList() : List.of(name);
            for (String target : names) {
                String where = prefix + "target " + target;
                Outcome actual = outcomes.get(target);
                if (actual == null) {
                    failures.add(new Failure(where, List.of("no outcome: the message " + ended(result)
                            + "; its elements go to the targets (expect them under split = [...])")));
                } else {
                    compare(expected, actual, where, failures);
                }
            }
        });
        expect.split().ifPresent(elements -> split(pipeline, integration, elements, result, key, prefix, failures));
    }

    private static void split(Pipeline pipeline, IntegrationSettings integration, List<TestCase.Element> expected,
                              Pipeline.Result result, String key, String prefix, List<Failure> failures) {
        if (!(result instanceof Pipeline.Split split)) {
            failures.add(new Failure(prefix + "split", List.of("expected " + expected.size() + " elements; the message " + ended(result))));
            return;
        }
        List<String> keys = split.items().stream().map(i -> key + "/" + i.keyPart()).toList();
        if (expected.size() != split.items().size()) {
            failures.add(new Failure(prefix + "split", List.of("expected " + expected.size() + " elements, got " + split.items().size()
                    + ": " + keys)));
        }
        for (int i = 0; i < Math.min(expected.size(), split.items().size()); i++) {
            TestCase.Element element = expected.get(i);
            Pipeline.Item item = split.items().get(i);
            String at = prefix + "split/" + i;
            if (element.key().isPresent() && !element.key().get().equals(keys.get(i))) {
                failures.add(new Failure(at + " key", List.of("expected \"" + element.key().get() + "\", got \"" + keys.get(i) + "\"")));
            }
            element.value().ifPresent(value -> {
                List<String> diff = JsonDiff.diff(value, item.value());
                if (!diff.isEmpty()) {
                    failures.add(new Failure(at + " value", diff));
                }
            });
            check(pipeline, integration, element.expect(), item.value(), split.nextStep(), keys.get(i), at + " ", failures);
        }
    }

    private static void compare(TestCase.TargetResult expected, Outcome actual, String where, List<Failure> failures) {
        if (!expected.outcome().equals(actual.status())) {
            failures.add(new Failure(where, List.of("expected " + expected.outcome() + ", got " + actual.describe())));
            return;
        }
        if (expected instanceof TestCase.Delivered d && d.payload().isPresent()) {
            List<String> diff = JsonDiff.diff(d.payload().get(), actual.payload());
            if (!diff.isEmpty()) {
                failures.add(new Failure(where + ", payload", diff));
            }
        } else if (expected instanceof TestCase.Filtered f && f.rule().isPresent() && !actual.detail().contains(f.rule().get())) {
            failures.add(new Failure(where, List.of("expected filtered by a rule containing \"" + f.rule().get() + "\", got " + actual.describe())));
        } else if (expected instanceof TestCase.DeadLettered dl) {
            List<String> lines = new ArrayList<>();
            if (dl.errorClass().isPresent() && !dl.errorClass().get().equals(actual.errorClass())) {
                lines.add("error class: expected " + dl.errorClass().get() + ", got " + actual.errorClass() + " (" + actual.detail() + ")");
            }
            if (dl.detail().isPresent() && !actual.detail().contains(dl.detail().get())) {
                lines.add("detail: expected one containing \"" + dl.detail().get() + "\", got \"" + actual.detail() + "\"");
            }
            if (!lines.isEmpty()) {
                failures.add(new Failure(where, lines));
            }
        }
    }

    /** Each target's outcome, as {@code IntegrationDelivery} records it; none when the message became a split's elements. */
    private static Map<String, Outcome> outcomes(Pipeline.Result result, IntegrationSettings integration) {
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        for (TargetSettings target : integration.targets()) {
            Outcome outcome;
            if (result instanceof Pipeline.Passed passed) {
                Routing.Decision decision = Routing.decide(target.when(), passed.payload());
                String violation = target.channel() == null || !(decision instanceof Routing.Deliver) ? null
                        : dev.junction.server.delivery.Channels.violation(target.channel(), passed.payload());
                outcome = decision instanceof Routing.Skip skip ? new Outcome("filtered", "filtered", skip.rule(), null)
                        : decision instanceof Routing.Refuse refuse ? new Outcome("dead-lettered", Routing.ERROR_CLASS, refuse.detail(), null)
                        : violation != null ? new Outcome("dead-lettered", dev.junction.server.delivery.Channels.SCHEMA_ERROR, violation, null)
                        : new Outcome("delivered", "", "", passed.payload());
            } else if (result instanceof Pipeline.Filtered filtered) {
                outcome = new Outcome("filtered", "filtered", filtered.step(), null);
            } else if (result instanceof Pipeline.Failed failed) {
                outcome = new Outcome("dead-lettered", failed.errorClass(), failed.step() + ": " + failed.detail(), null);
            } else if (result instanceof Pipeline.Split split && split.items().isEmpty()) {
                outcome = new Outcome("filtered", "filtered", split.step() + ": no elements", null);
            } else {
                continue;
            }
            outcomes.put(target.name(), outcome);
        }
        return outcomes;
    }

    /** The message as it entered step {@code index}: the last map output before it, else the input. */
    private static JsonNode before(List<Pipeline.Trace> traces, int index, JsonNode input) {
        JsonNode current = input;
        for (Pipeline.Trace trace : traces) {
            if (trace.index() < index && trace.output() != null) {
                current = trace.output();
            }
        }
        return current;
    }

    private static String ended(Pipeline.Result result) {
        if (result instanceof Pipeline.Filtered f) {
            return "was filtered at " + f.step();
        }
        if (result instanceof Pipeline.Failed f) {
            return "was dead-lettered at " + f.step() + " (" + f.errorClass() + "): " + f.detail();
        }
        if (result instanceof Pipeline.Split s) {
            return "was split at " + s.step() + " into " + s.items().size() + " elements";
        }
        return "passed every step";
    }
}
