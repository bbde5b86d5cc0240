package dev.junction.server.pipelinetest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.junction.connectors.api.ConfigProblem;
import dev.junction.server.config.IntegrationSettings;
import dev.junction.server.config.JunctionSettings;
import dev.junction.server.config.StepSettings;
import dev.junction.server.config.TargetSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads pipeline test files (HOCON, or JSON, which is HOCON too) against a loaded configuration, and collects every mistake
 * in them with file, line and path, as the configuration loader does. The format is described in the README, "Testing an
 * integration".
 */
final class TestFiles {
    static final String FOLDER = "tests";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> CASE_KEYS = Set.of("name", "description", "integration", "input", "expect");
    private static final Set<String> FILE_KEYS = Set.of("description", "integration", "cases");
    private static final Set<String> INPUT_KEYS = Set.of("json", "file", "idempotency-key", "headers");
    private static final Set<String> EXPECT_KEYS = Set.of("steps", "targets", "split");
    private static final Set<String> ELEMENT_KEYS = Set.of("key", "value", "value-file", "steps", "targets", "split");
    private static final Set<String> STEP_KINDS = Set.of("validate", "map", "filter", "split");

    private final JunctionSettings settings;
    private final List<ConfigProblem> problems = new ArrayList<>();

    TestFiles(JunctionSettings settings) {
        this.settings = settings;
    }

    /** The test files in {@code dir}: {@code *.conf} and {@code *.json}, by name; none when the folder does not exist. */
    static List<Path> in(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> Files.isRegularFile(f) && (f.toString().endsWith(".conf") || f.toString().endsWith(".json")))
                    .sorted().toList();
        }
    }

    /** Every problem found, by file and line. */
    List<ConfigProblem> problems() {
        return problems.stream().sorted(java.util.Comparator.comparing(ConfigProblem::file).thenComparingInt(ConfigProblem::line)).toList();
    }

    /** Every case of every file; check {@link #problems()} before running them. */
    List<TestCase> read(List<Path> files) {
        List<TestCase> cases = new ArrayList<>();
        for (Path file : files) {
            cases.addAll(readFile(file.toAbsolutePath().normalize()));
        }
        Set<String> names = new java.util.HashSet<>();
        for (TestCase c : cases) {
            if (!names.add(c.name())) {
                problems.add(new ConfigProblem(c.file().toString(), -1, "name", c.name(), "a second case with this name"));
            }
        }
        return cases;
    }

    private List<TestCase> readFile(Path file) {
        Config root;
        try {
            root = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false)).resolve();
        } catch (ConfigException e) {
            int line = e.origin() == null ? -1 : e.origin().lineNumber();
            problems.add(new ConfigProblem(file.toString(), line, "", "", e.getMessage()));
            return List.of();
        }
        String base = file.getFileName().toString().replaceFirst("\\.(conf|json)$", "");
        if (!root.root().containsKey("cases")) {
            TestCase c = readCase(root, "", base, Optional.empty(), file);
            return c == null ? List.of() : List.of(c);
        }
        unknownKeys(root, "", FILE_KEYS);
        Optional<String> integration = string(root, "integration", "integration");
        List<? extends ConfigObject> list = objects(root, "cases", "cases");
        List<TestCase> cases = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Config c = list.get(i).toConfig();
            String path = "cases." + i + ".";
            Optional<String> name = string(c, "name", path + "name");
            if (name.isEmpty()) {
                problem(c.origin(), path + "name", "is required when a file holds several cases");
                continue;
            }
            TestCase read = readCase(c, path, base + "/" + name.get(), integration, file);
            if (read != null) {
                cases.add(read);
            }
        }
        return cases;
    }

    private TestCase readCase(Config c, String path, String defaultName, Optional<String> fileIntegration, Path file) {
        int before = problems.size();
        unknownKeys(c, path, CASE_KEYS);
        String name = path.isEmpty() ? string(c, "name", "name").orElse(defaultName) : defaultName;
        IntegrationSettings integration = integration(c, path, fileIntegration);
        Config input = object(c, "input", path + "input", true);
        Config expect = object(c, "expect", path + "expect", true);
        if (integration == null || input == null || expect == null) {
            return null;
        }
        TestCase.Input in = input(input, path + "input", integration, file, name);
        TestCase.Expect ex = expect(expect, path + "expect", integration, file.getParent(), false);
        return problems.size() == before && in != null && ex != null ? new TestCase(name, file, integration.name(), in, ex) : null;
    }

    private IntegrationSettings integration(Config c, String path, Optional<String> fileIntegration) {
        Optional<String> named = string(c, "integration", path + "integration").or(() -> fileIntegration);
        Map<String, IntegrationSettings> all = settings.integrations();
        if (named.isEmpty()) {
            if (all.size() == 1) {
                return all.values().iterator().next();
            }
            problem(c.origin(), path + "integration", "is required: the configuration has " + all.size() + " integrations ("
                    + String.join(", ", all.keySet()) + ")");
            return null;
        }
        IntegrationSettings integration = all.get(named.get());
        if (integration == null) {
            ConfigValue at = c.root().containsKey("integration") ? c.root().get("integration") : null;
            String reason = "unknown integration (the configuration has: " + String.join(", ", all.keySet()) + ")";
            if (at != null) {
                problems.add(ConfigProblem.of(at, path + "integration", reason));
            } else {
                problem(c.origin(), path + "integration", "\"" + named.get() + "\": " + reason);
            }
        }
        return integration;
    }

    private TestCase.Input input(Config input, String path, IntegrationSettings integration, Path file, String caseName) {
        unknownKeys(input, path + ".", INPUT_KEYS);
        boolean inline = input.root().containsKey("json");
        boolean fromFile = input.root().containsKey("file");
        if (inline == fromFile) {
            problem(input.origin(), path, "needs exactly one of json = <the message> or file = \"<a JSON file, relative to this file>\"");
            return null;
        }
        Optional<String> inputFile = fromFile ? string(input, "file", path + ".file") : Optional.empty();
        JsonNode json = inline ? json(input.root().get("json"), path + ".json")
                : inputFile.map(f -> jsonFile(input, "file", path + ".file", file.getParent(), f)).orElse(null);
        Map<String, String> headers = new LinkedHashMap<>();
        Config h = object(input, "headers", path + ".headers", false);
        if (h != null) {
            h.root().forEach((k, v) -> {
                if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST) {
                    problems.add(ConfigProblem.of(v, path + ".headers." + k, "a header value is a string"));
                } else {
                    headers.put(k.toLowerCase(Locale.ROOT), String.valueOf(v.unwrapped()));
                }
            });
        }
        if (json == null) {
            return null;
        }
        Optional<String> key = string(input, "idempotency-key", path + ".idempotency-key");
        return new TestCase.Input(json, key.orElseGet(() -> keyFromSource(integration, json, headers,
                inputFile.map(f -> Path.of(f).getFileName().toString()).orElse(caseName))));
    }

    /**
     * The key the integration's source would take (its {@code idempotency-key} setting: {@code header:<name>},
     * {@code json:<pointer>} or {@code file-name}); the case's name when the message does not carry one.
     */
    private static String keyFromSource(IntegrationSettings integration, JsonNode json, Map<String, String> headers, String fallback) {
        Config source = integration.source().settings();
        String how = source.hasPath("idempotency-key") ? source.getString("idempotency-key") : "";
        if (how.startsWith("header:")) {
            String value = headers.get(how.substring("header:".length()).trim().toLowerCase(Locale.ROOT));
            return value == null || value.isBlank() ? fallback : value;
        }
        if (how.startsWith("json:")) {
            JsonNode value = json.at(how.substring("json:".length()).trim());
            return value.isTextual() || value.isNumber() ? value.asText() : fallback;
        }
        return fallback;
    }

    private TestCase.Expect expect(Config c, String path, IntegrationSettings integration, Path dir, boolean element) {
        unknownKeys(c, path + ".", element ? ELEMENT_KEYS : EXPECT_KEYS);
        if (!element && !c.root().containsKey("steps") && !c.root().containsKey("targets") && !c.root().containsKey("split")) {
            problem(c.origin(), path, "expects nothing: give steps = [...], targets { ... } or split = [...]");
            return null;
        }
        List<TestCase.StepOutput> steps = new ArrayList<>();
        List<? extends ConfigObject> stepList = objects(c, "steps", path + ".steps");
        for (int i = 0; i < stepList.size(); i++) {
            TestCase.StepOutput step = stepOutput(stepList.get(i).toConfig(), path + ".steps." + i, integration, dir);
            if (step != null) {
                steps.add(step);
            }
        }
        Map<String, TestCase.TargetResult> targets = new LinkedHashMap<>();
        Config t = object(c, "targets", path + ".targets", false);
        if (t != null) {
            Set<String> names = new java.util.TreeSet<>(integration.targets().stream().map(TargetSettings::name).toList());
            t.root().forEach((name, value) -> {
                String at = path + ".targets." + name;
                if (!name.equals("*") && !names.contains(name)) {
                    problems.add(ConfigProblem.of(value, at, "unknown target (targets of " + integration.name() + ": "
                            + String.join(", ", names) + "; \"*\" for every target)"));
                } else if (value.valueType() != ConfigValueType.OBJECT) {
                    problems.add(ConfigProblem.of(value, at, "must be an object such as { outcome = delivered, payload = {...} }"));
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
            List<? extends ConfigObject> list = objects(c, "split", path + ".split");
            for (int i = 0; i < list.size(); i++) {
                Config e = list.get(i).toConfig();
                String at = path + ".split." + i;
                Optional<JsonNode> value = jsonOrFile(e, "value", at, dir);
                TestCase.Expect then = expect(e, at, integration, dir, true);
                if (then != null) {
                    elements.add(new TestCase.Element(string(e, "key", at + ".key"), value, then));
                }
            }
            split = Optional.of(elements);
        }
        return new TestCase.Expect(steps, targets, split);
    }

    private TestCase.StepOutput stepOutput(Config c, String path, IntegrationSettings integration, Path dir) {
        unknownKeys(c, path + ".", Set.of("step", "output", "output-file"));
        if (!c.root().containsKey("step")) {
            problem(c.origin(), path + ".step", "is required: the step's index (from 0), its label, or its kind when it is the only one");
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
            problems.add(ConfigProblem.of(ref, path + ".step", "no such step (steps of " + integration.name() + ": "
                    + (known.isEmpty() ? "none" : String.join(", ", known)) + "; a kind names a step only when it is the only one of its kind)"));
            return null;
        }
        Optional<JsonNode> output = jsonOrFile(c, "output", path, dir);
        if (output.isEmpty()) {
            if (!c.root().containsKey("output") && !c.root().containsKey("output-file")) {
                problem(c.origin(), path + ".output", "is required (or output-file)");
            }
            return null;
        }
        return new TestCase.StepOutput(index, steps.get(index).label(), output.get());
    }

    private TestCase.TargetResult targetResult(Config c, String path, Path dir) {
        Optional<String> outcome = string(c, "outcome", path + ".outcome");
        if (outcome.isEmpty()) {
            problem(c.origin(), path + ".outcome", "is required: delivered, filtered or dead-lettered");
            return null;
        }
        switch (outcome.get()) {
            case "delivered" -> {
                unknownKeys(c, path + ".", Set.of("outcome", "payload", "payload-file"));
                return new TestCase.Delivered(jsonOrFile(c, "payload", path, dir));
            }
            case "filtered" -> {
                unknownKeys(c, path + ".", Set.of("outcome", "rule"));
                return new TestCase.Filtered(string(c, "rule", path + ".rule"));
            }
            case "dead-lettered" -> {
                unknownKeys(c, path + ".", Set.of("outcome", "error-class", "detail"));
                return new TestCase.DeadLettered(string(c, "error-class", path + ".error-class"), string(c, "detail", path + ".detail"));
            }
            default -> {
                problems.add(ConfigProblem.of(c.root().get("outcome"), path + ".outcome", "must be delivered, filtered or dead-lettered"));
                return null;
            }
        }
    }

    /** {@code <key> = <JSON>} or {@code <key>-file = "<file relative to the test file>"}; empty when neither (or on a problem). */
    private Optional<JsonNode> jsonOrFile(Config c, String key, String path, Path dir) {
        boolean inline = c.root().containsKey(key);
        boolean file = c.root().containsKey(key + "-file");
        if (inline && file) {
            problem(c.origin(), path + "." + key, "give " + key + " or " + key + "-file, not both");
            return Optional.empty();
        }
        if (inline) {
            return Optional.ofNullable(json(c.root().get(key), path + "." + key));
        }
        return string(c, key + "-file", path + "." + key + "-file").map(f -> jsonFile(c, key + "-file", path + "." + key + "-file", dir, f));
    }

    private JsonNode json(ConfigValue value, String path) {
        try {
            return JSON.readTree(value.render(ConfigRenderOptions.concise()));
        } catch (JsonProcessingException e) {
            problems.add(ConfigProblem.of(value, path, "is not JSON: " + e.getOriginalMessage()));
            return null;
        }
    }

    private JsonNode jsonFile(Config c, String key, String path, Path dir, String name) {
        Path file = dir.resolve(name).normalize();
        try {
            return JSON.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            problems.add(ConfigProblem.of(c.root().get(key), path, file + " is not JSON: " + e.getOriginalMessage()));
        } catch (IOException e) {
            problems.add(ConfigProblem.of(c.root().get(key), path, "cannot read " + file + ": " + e));
        }
        return null;
    }

    private Optional<String> string(Config c, String key, String path) {
        ConfigValue value = c.root().get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (value.valueType() == ConfigValueType.OBJECT || value.valueType() == ConfigValueType.LIST || value.valueType() == ConfigValueType.NULL) {
            problems.add(ConfigProblem.of(value, path, "must be a string"));
            return Optional.empty();
        }
        return Optional.of(String.valueOf(value.unwrapped()));
    }

    private Config object(Config c, String key, String path, boolean required) {
        ConfigValue value = c.root().get(key);
        if (value == null) {
            if (required) {
                problem(c.origin(), path, "is required");
            }
            return null;
        }
        if (value.valueType() != ConfigValueType.OBJECT) {
            problems.add(ConfigProblem.of(value, path, "must be an object"));
            return null;
        }
        return ((ConfigObject) value).toConfig();
    }

    private List<? extends ConfigObject> objects(Config c, String key, String path) {
        ConfigValue value = c.root().get(key);
        if (value == null) {
            return List.of();
        }
        if (value.valueType() != ConfigValueType.LIST) {
            problems.add(ConfigProblem.of(value, path, "must be a list of objects"));
            return List.of();
        }
        List<ConfigObject> result = new ArrayList<>();
        List<? extends ConfigValue> list = c.getList(key);
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).valueType() == ConfigValueType.OBJECT) {
                result.add((ConfigObject) list.get(i));
            } else {
                problems.add(ConfigProblem.of(list.get(i), path + "." + i, "must be an object"));
            }
        }
        return result;
    }

    private void unknownKeys(Config c, String prefix, Set<String> known) {
        for (String key : c.root().keySet()) {
            if (!known.contains(key)) {
                problems.add(ConfigProblem.of(c.root().get(key), prefix + key, "unknown setting (known: "
                        + String.join(", ", new java.util.TreeSet<>(known)) + ")"));
            }
        }
    }

    private void problem(com.typesafe.config.ConfigOrigin origin, String path, String reason) {
        problems.add(ConfigProblem.missing(origin, path, reason));
    }
}
