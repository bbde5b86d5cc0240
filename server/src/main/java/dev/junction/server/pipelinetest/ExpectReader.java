package dev.junction.server.pipelinetest;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.junction.connectors.api.ConfigProblem;
import dev.junction.server.config.IntegrationSettings;
import dev.junction.server.config.StepSettings;
import dev.junction.server.config.TargetSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads a case's {@code expect} block (and each split element's) against the integration's steps and targets. */
final class ExpectReader {
    private static final Set<String> EXPECT_KEYS = Set.of("steps", "targets", "split");
    private static final Set<String> ELEMENT_KEYS = Set.of("key", "value", "value-file", "steps", "targets", "split");
    private static final Set<String> STEP_KINDS = Set.of("validate", "map", "filter", "split");

    private final CaseReading r;

    ExpectReader(CaseReading reading) {
        this.r = reading;
    }

    TestCase.Expect expect(Config c, String path, IntegrationSettings integration, Path dir, boolean element) {
        r.unknownKeys(c, path + ".", element ? ELEMENT_KEYS : EXPECT_KEYS);
        if (!element && !c.root().containsKey("steps") && !c.root().containsKey("targets") && !c.root().containsKey("split")) {
            r.problem(c.origin(), path, "expects nothing: give steps = [...], targets { ... } or split = [...]");
            return null;
        }
        List<TestCase.StepOutput> steps = new ArrayList<>();
        List<? extends ConfigObject> stepList = r.objects(c, "steps", path + ".steps");
        for (int i = 0; i < stepList.size(); i++) {
            TestCase.StepOutput step = stepOutput(stepList.get(i).toConfig(), path + ".steps." + i, integration, dir);
            if (step != null) {
                steps.add(step);
            }
        }
        Map<String, TestCase.TargetResult> targets = new LinkedHashMap<>();
        Config t = r.object(c, "targets", path + ".targets", false);
        if (t != null) {
            Set<String> names = new java.util.TreeSet<>(integration.targets().stream().map(TargetSettings::name).toList());
            t.root().forEach((name, value) -> {
                String at = path + ".targets." + name;
                if (!name.equals("*") && !names.contains(name)) {
                    r.add(ConfigProblem.of(value, at, "unknown target (targets of " + integration.name() + ": "
                            + String.join(", ", names) + "; \"*\" for every target)"));
                } else if (value.valueType() != ConfigValueType.OBJECT) {
                    r.add(ConfigProblem.of(value, at, "must be an object such as { outcome = delivered, payload = {...} }"));
                } else {
                    TestCase.TargetResult result = targetResult(((ConfigObject) value).toConfig(), at, dir);
                    if (result != null) {
                        targets.put(name, result);
                    }
                }
            });
        }
        Optional<List<TestCase.Element>> split = Optional.empty();
        if (c.root().containsKey("split")) {
            List<TestCase.Element> elements = new ArrayList<>();
            List<? extends ConfigObject> list = r.objects(c, "split", path + ".split");
            for (int i = 0; i < list.size(); i++) {
                Config e = list.get(i).toConfig();
                String at = path + ".split." + i;
                Optional<JsonNode> value = r.jsonOrFile(e, "value", at, dir);
                TestCase.Expect then = expect(e, at, integration, dir, true);
                if (then != null) {
                    elements.add(new TestCase.Element(r.string(e, "key", at + ".key"), value, then));
                }
            }
            split = Optional.of(elements);
        }
        return new TestCase.Expect(steps, targets, split);
    }

    private TestCase.StepOutput stepOutput(Config c, String path, IntegrationSettings integration, Path dir) {
        r.unknownKeys(c, path + ".", Set.of("step", "output", "output-file"));
        if (!c.root().containsKey("step")) {
            r.problem(c.origin(), path + ".step", "is required: the step's index (from 0), its label, or its kind when it is the only one");
            return null;
        }
        ConfigValue ref = c.root().get("step");
        List<StepSettings> steps = integration.steps();
        String text = String.valueOf(ref.unwrapped());
        int index = -1;
        if (text.matches("\\d+")) {
            index = Integer.parseInt(text);
        } else {
            for (int i = 0; i < steps.size(); i++) {
                if (steps.get(i).label().equals(text)) {
                    index = i;
                }
            }
            if (index < 0 && STEP_KINDS.contains(text)) {
                List<Integer> ofKind = java.util.stream.IntStream.range(0, steps.size())
                        .filter(i -> steps.get(i).label().startsWith(text + "(")).boxed().toList();
                index = ofKind.size() == 1 ? ofKind.get(0) : -1;
            }
        }
        if (index < 0 || index >= steps.size()) {
            List<String> known = java.util.stream.IntStream.range(0, steps.size()).mapToObj(i -> i + " " + steps.get(i).label()).toList();
            r.add(ConfigProblem.of(ref, path + ".step", "no such step (steps of " + integration.name() + ": "
                    + (known.isEmpty() ? "none" : String.join(", ", known)) + "; a kind names a step only when it is the only one of its kind)"));
            return null;
        }
        Optional<JsonNode> output = r.jsonOrFile(c, "output", path, dir);
        if (output.isEmpty()) {
            if (!c.root().containsKey("output") && !c.root().containsKey("output-file")) {
                r.problem(c.origin(), path + ".output", "is required (or output-file)");
            }
            return null;
        }
        return new TestCase.StepOutput(index, steps.get(index).label(), output.get());
    }

    private TestCase.TargetResult targetResult(Config c, String path, Path dir) {
        Optional<String> outcome = r.string(c, "outcome", path + ".outcome");
        if (outcome.isEmpty()) {
            r.problem(c.origin(), path + ".outcome", "is required: delivered, filtered or dead-lettered");
            return null;
        }
        switch (outcome.get()) {
            case "delivered" -> {
                r.unknownKeys(c, path + ".", Set.of("outcome", "payload", "payload-file"));
                return new TestCase.Delivered(r.jsonOrFile(c, "payload", path, dir));
            }
            case "filtered" -> {
                r.unknownKeys(c, path + ".", Set.of("outcome", "rule"));
                return new TestCase.Filtered(r.string(c, "rule", path + ".rule"));
            }
            case "dead-lettered" -> {
                r.unknownKeys(c, path + ".", Set.of("outcome", "error-class", "detail"));
                return new TestCase.DeadLettered(r.string(c, "error-class", path + ".error-class"), r.string(c, "detail", path + ".detail"));
            }
            default -> {
                r.add(ConfigProblem.of(c.root().get("outcome"), path + ".outcome", "must be delivered, filtered or dead-lettered"));
                return null;
            }
        }
    }
}
