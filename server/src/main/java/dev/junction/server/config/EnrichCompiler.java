package dev.junction.server.config;

import com.fasterxml.jackson.core.JsonPointer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigProblem;
import dev.junction.connectors.api.ConfigSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Compiles {@code enrich { ... }} steps: the system read, the path template, where the answer goes and how it is cached. */
final class EnrichCompiler {
    static final ConfigSpec HTTP = ConfigSpec.of("What is read: one GET of a path below the system's base-url.",
            ConfigField.oneOf("method", "GET").description("Only GET: a lookup reads, it never changes the system."),
            ConfigField.string("path").required().description("The path below the system's base-url; JSON pointers into the "
                    + "message (with for-each: into the element) in braces are replaced by their URL-encoded values.")
                    .example("/stock/{/lines/0/sku}"));
    static final ConfigSpec CACHE = ConfigSpec.of("How long answers are reused, per node.",
            ConfigField.duration("ttl").description("How long an answer (found or not found) is reused; 0s reads every time.")
                    .example("5m"),
            ConfigField.integer("max-entries").check((Integer n) -> n >= 1, "must be 1 or more")
                    .description("The most answers kept; the oldest go first."));
    static final ConfigSpec ENRICH = ConfigSpec.of("Reads a resource of a system and puts the answer into the message.",
            ConfigField.string("system").required().description("The system read, through its breaker, rate limit and pause."),
            ConfigField.object("http", HTTP).required().description("The read, for a system of the http connector."),
            ConfigField.string("for-each").description("A JSON pointer to an array of the message: each element is enriched, "
                    + "with the path's pointers and 'into' relative to the element; one read per distinct path.").example("/lines"),
            ConfigField.string("into").description("The JSON pointer the answer is put at; required without for-each. With "
                    + "for-each it is below the element, and without it the answer's fields are merged into the element.")
                    .example("/stock"),
            ConfigField.object("cache", CACHE).description("Answers reused within their ttl; on by default (5m, 10000)."),
            ConfigField.oneOf("on-not-found", "null", "dead-letter")
                    .description("A 404: set 'into' to null (for-each without 'into': leave the element as it is), or "
                            + "dead-letter the message naming the system and path."));
    private static final java.time.Duration DEFAULT_TTL = java.time.Duration.ofMinutes(5);
    private static final int DEFAULT_MAX_ENTRIES = 10_000;

    private final Map<String, SystemSettings> systems;
    private final Problems problems;

    EnrichCompiler(Map<String, SystemSettings> systems, Problems problems) {
        this.systems = systems;
        this.problems = problems;
    }

    /** The compiled step, or null after adding its problems. */
    StepSettings compile(Config block, String path) {
        // on-not-found = null is read by HOCON as a null value, which the spec would call missing: read it by hand.
        boolean deadLetter = block.hasPath("on-not-found") && "dead-letter".equals(block.getString("on-not-found"));
        if (block.hasPath("on-not-found") && !deadLetter) {
            problems.at(block, "on-not-found", path + ".on-not-found", "must be null or dead-letter");
            return null;
        }
        List<ConfigProblem> found = ENRICH.validate(block, path, Set.of("on-not-found"));
        problems.addAll(found);
        if (!found.isEmpty()) {
            return null;
        }
        String name = block.getString("system");
        SystemSettings system = systems.get(name);
        if (system == null) {
            problems.at(block, "system", path + ".system", "unknown system (declared: " + String.join(", ", new TreeSet<>(systems.keySet())) + ")");
            return null;
        }
        if (system.connector().lookups().isEmpty()) {
            problems.at(block, "system", path + ".system", "its connector (" + system.connector().name() + ") cannot be read by an enrich step");
            return null;
        }
        if (!system.connector().name().equals("http")) {
            problems.at(block, "http", path + ".http", "the system's connector is " + system.connector().name() + ", not http");
            return null;
        }
        PathTemplate template;
        try {
            template = PathTemplate.parse(block.getString("http.path"));
        } catch (IllegalArgumentException e) {
            problems.at(block.getConfig("http"), "path", path + ".http.path", e.getMessage());
            return null;
        }
        JsonPointer forEach = null;
        if (block.hasPath("for-each")) {
            forEach = pointer(block, "for-each", path, "must be a JSON pointer to an array of the message, e.g. /lines");
            if (forEach == null) {
                return null;
            }
        }
        JsonPointer into = JsonPointer.empty();
        if (block.hasPath("into")) {
            into = pointer(block, "into", path, forEach == null ? "must be a JSON pointer below the message's root, e.g. /stock"
                    : "must be a JSON pointer below the element, e.g. /stock (or left out to merge the answer into the element)");
            if (into == null) {
                return null;
            }
        } else if (forEach == null) {
            problems.missing(block.origin(), path + ".into", "is required (without for-each there is no element to merge the answer into)");
            return null;
        }
        Config cache = block.hasPath("cache") && block.getValue("cache").valueType() == ConfigValueType.OBJECT
                ? block.getConfig("cache") : com.typesafe.config.ConfigFactory.empty();
        java.time.Duration ttl = cache.hasPath("ttl") ? cache.getDuration("ttl") : DEFAULT_TTL;
        long max = cache.hasPath("max-entries") ? cache.getInt("max-entries") : DEFAULT_MAX_ENTRIES;
        return new StepSettings.Enrich(name, template, into, ttl, max, deadLetter, forEach);
    }

    /** The JSON pointer at {@code key} below the root (not the root itself), or null after adding the problem. */
    private JsonPointer pointer(Config block, String key, String path, String reason) {
        String text = block.getString(key);
        if (text.startsWith("/") && text.length() >= 2 && !text.endsWith("/") && !text.contains("//")) {
            try {
                return JsonPointer.compile(text);
            } catch (IllegalArgumentException e) {
                reason = reason + " (" + e.getMessage() + ")";
            }
        }
        problems.at(block, key, path + "." + key, reason);
        return null;
    }
}
