package dev.junction.server.pipelinetest;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.junction.connectors.api.ConfigProblem;
import dev.junction.server.config.IntegrationSettings;
import dev.junction.server.config.JunctionSettings;
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
    private static final Set<String> CASE_KEYS = Set.of("name", "description", "integration", "input", "expect");
    private static final Set<String> FILE_KEYS = Set.of("description", "integration", "cases");
    private static final Set<String> INPUT_KEYS = Set.of("json", "file", "idempotency-key", "headers");

    private final JunctionSettings settings;
    private final CaseReading r = new CaseReading();

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
        return r.problems();
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
                r.add(new ConfigProblem(c.file().toString(), -1, "name", c.name(), "a second case with this name"));
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
            r.add(new ConfigProblem(file.toString(), line, "", "", e.getMessage()));
            return List.of();
        }
        String base = file.getFileName().toString().replaceFirst("\\.(conf|json)$", "");
        if (!root.root().containsKey("cases")) {
            TestCase c = readCase(root, "", base, Optional.empty(), file);
            return c == null ? List.of() : List.of(c);
        }
        r.unknownKeys(root, "", FILE_KEYS);
        Optional<String> integration = r.string(root, "integration", "integration");
        List<? extends ConfigObject> list = r.objects(root, "cases", "cases");
        List<TestCase> cases = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Config c = list.get(i).toConfig();
            String path = "cases." + i + ".";
            Optional<String> name = r.string(c, "name", path + "name");
            if (name.isEmpty()) {
                r.problem(c.origin(), path + "name", "is required when a file holds several cases");
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
        int before = r.count();
        r.unknownKeys(c, path, CASE_KEYS);
        String name = path.isEmpty() ? r.string(c, "name", "name").orElse(defaultName) : defaultName;
        IntegrationSettings integration = integration(c, path, fileIntegration);
        Config input = r.object(c, "input", path + "input", true);
        Config expect = r.object(c, "expect", path + "expect", true);
        if (integration == null || input == null || expect == null) {
            return null;
        }
        TestCase.Input in = input(input, path + "input", integration, file, name);
        TestCase.Expect ex = new ExpectReader(r).expect(expect, path + "expect", integration, file.getParent(), false);
        return r.count() == before && in != null && ex != null ? new TestCase(name, file, integration.name(), in, ex) : null;
    }

    private IntegrationSettings integration(Config c, String path, Optional<String> fileIntegration) {
        Optional<String> named = r.string(c, "integration", path + "integration").or(() -> fileIntegration);
        Map<String, IntegrationSettings> all = settings.integrations();
        if (named.isEmpty()) {
            if (all.size() == 1) {
                return all.values().iterator().next();
            }
            r.problem(c.origin(), path + "integration", "is required: the configuration has " + all.size() + " integrations ("
                    + String.join(", ", all.keySet()) + ")");
            return null;
        }
        IntegrationSettings integration = all.get(named.get());
        if (integration == null) {
            ConfigValue at = c.root().containsKey("integration") ? c.root().get("integration") : null;
            String reason = "unknown integration (the configuration has: " + String.join(", ", all.keySet()) + ")";
            if (at != null) {
                r.add(ConfigProblem.of(at, path + "integration", reason));
            } else {
                r.problem(c.origin(), path + "integration", "\"" + named.get() + "\": " + reason);
            }
        }
        return integration;
    }

    private TestCase.Input input(Config input, String path, IntegrationSettings integration, Path file, String caseName) {
        r.unknownKeys(input, path + ".", INPUT_KEYS);
        boolean inline = input.root().containsKey("json");
        boolean fromFile = input.root().containsKey("file");
        if (inline == fromFile) {
            r.problem(input.origin(), path, "needs exactly one of json = <the message> or file = \"<a JSON file, relative to this file>\"");
            return null;
        }
        Optional<String> inputFile = fromFile ? r.string(input, "file", path + ".file") : Optional.empty();
        JsonNode json = inline ? r.json(input.root().get("json"), path + ".json")
                : inputFile.map(f -> r.jsonFile(input, "file", path + ".file", file.getParent(), f)).orElse(null);
        Map<String, String> headers = new LinkedHashMap<>();
        Config h = r.object(input, "headers", path + ".headers", false);
        if (h != null) {
            h.root().forEach((k, v) -> {
                if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST) {
                    r.add(ConfigProblem.of(v, path + ".headers." + k, "a header value is a string"));
                } else {
                    headers.put(k.toLowerCase(Locale.ROOT), String.valueOf(v.unwrapped()));
                }
            });
        }
        if (json == null) {
            return null;
        }
        Optional<String> key = r.string(input, "idempotency-key", path + ".idempotency-key");
        return new TestCase.Input(json, key.orElseGet(() -> keyFromSource(integration, json, headers,
                inputFile.map(f -> Path.of(f).getFileName().toString()).orElse(caseName))));
    }

    /**
     * The key the integration's source would take (its {@code idempotency-key} setting: {@code header:<name>},
     * {@code json:<pointer>} or {@code file-name}); the case's name when the message does not carry one.
     */
    private static String keyFromSource(IntegrationSettings integration, JsonNode json, Map<String, String> headers, String fallback) {
        Config source = integration.source() == null ? com.typesafe.config.ConfigFactory.empty() : integration.source().settings();
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
}
