package dev.junction.server.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import dev.junction.connectors.api.KeyRule;
import dev.junction.server.config.IntegrationSettings;
import dev.junction.server.config.JunctionSettings;
import dev.junction.server.config.StepSettings;
import dev.junction.server.config.TargetSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a chaos run drives and what it redirects, decided from the user's validated settings. An integration is driven when its
 * source is a webhook, or a kind a {@link Feed} can put messages into a copy private to the run (a directory of a system moved
 * into the scratch directory, a poll pointed at a stand-in API, an amqp queue, a nats stream, an mqtt topic and a PostgreSQL outbox table of the run's own), and every target is an {@code http} system (sent to a
 * {@link StandIn}) or a {@code file} system (written into the run's scratch directory); any other is left out of the run, with
 * the reason in {@link #notDriven}, because starting it would read from or write to the user's real systems.
 */
record Plan(List<Driven> driven, Map<String, String> notDriven, Set<String> httpSystems, Set<String> fileSystems) {
    /** The name a directory source is given each message under: {@code <key>.json}. */
    static final String FILE_SUFFIX = ".json";
    private static final ObjectMapper JSON = new ObjectMapper();

    static Plan of(JunctionSettings settings, List<JsonNode> recorded, Path scratch) throws UsageException {
        List<Driven> driven = new ArrayList<>();
        Map<String, String> notDriven = new LinkedHashMap<>();
        Set<String> http = new LinkedHashSet<>();
        Set<String> files = new LinkedHashSet<>();
        for (IntegrationSettings integration : settings.integrations().values()) {
            String why = whyNotDriven(integration);
            if (why != null) {
                notDriven.put(integration.name(), why);
                continue;
            }
            Map<String, String> targets = new LinkedHashMap<>();
            for (TargetSettings t : integration.targets()) {
                targets.put(t.name(), t.system().name());
                (t.system().connector().name().equals("http") ? http : files).add(t.system().name());
            }
            Config source = integration.source().settings();
            String kind = integration.source().kind();
            boolean byFile = kind.equals("directory");
            String rule = source.hasPath("idempotency-key") ? source.getString("idempotency-key") : byFile ? "file-name" : "header:Idempotency-Key";
            // an outbox's column:<name> is its row's own column; message-id is an AMQP property, nats-msg-id a NATS header
            KeyRule key = rule.startsWith("column:") ? new KeyRule.Native(rule) : KeyRule.parse(rule, Set.of("file-name", "message-id", "nats-msg-id"));
            Path drop = null;
            if (byFile) {
                String system = integration.source().system().name();
                files.add(system);
                drop = fileRoot(scratch, system).resolve(source.getString("path"));
            }
            JsonNode schema = schemaOf(integration);
            driven.add(new Driven(integration.name(), kind, kind.equals("webhook") ? source.getString("path") : null, drop, key,
                    samples(integration, schema, recorded), schema, targets, source, integration.source().system().config()));
        }
        if (driven.isEmpty()) {
            throw new UsageException("no integration can be driven: " + notDriven);
        }
        return new Plan(driven, notDriven, http, files);
    }

    private static String whyNotDriven(IntegrationSettings integration) {
        String kind = integration.source().kind();
        if (kind.equals("directory")) {
            String pattern = integration.source().settings().hasPath("pattern") ? integration.source().settings().getString("pattern") : "*.json";
            if (!java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + pattern).matches(Path.of("chaos-1" + FILE_SUFFIX))) {
                return "source kind directory with pattern " + pattern + " not driven (chaos writes <key>" + FILE_SUFFIX + " files)";
            }
        } else if (kind.equals("poll")) {
            Config system = integration.source().system().config();
            if (system.hasPath("auth.oauth2")) {
                return "source kind poll with oauth2 not driven (its token would be fetched from your identity provider)";
            }
            if (!integration.source().settings().getString("idempotency-key").startsWith("json:")) {
                return "source kind poll with idempotency-key " + integration.source().settings().getString("idempotency-key")
                        + " not driven (chaos puts the key in the item: json:<pointer>)";
            }
        } else if (kind.equals("outbox")) {
            String url = integration.source().system().config().getString("url");
            if (!url.startsWith("jdbc:postgresql:")) {
                return "source kind outbox on " + url.substring(0, url.indexOf(':', 5) < 0 ? url.length() : url.indexOf(':', 5))
                        + " not driven (chaos copies outbox tables on PostgreSQL only)";
            }
        } else if (!kind.equals("webhook") && !kind.equals("amqp") && !kind.equals("nats") && !kind.equals("mqtt")) {
            return "source kind " + kind + " not driven (chaos drives webhooks, directories, polls, amqp queues, nats streams, mqtt "
                    + "topics and outboxes)";
        }
        for (TargetSettings t : integration.targets()) {
            String connector = t.system().connector().name();
            if (!connector.equals("http") && !connector.equals("file")) {
                return "target " + t.name() + " is a " + connector + " system, which chaos cannot stand in for (only http and file)";
            }
        }
        return null;
    }

    /**
     * The user's settings pointed at the run: loopback ports chosen by the OS, a one-node cluster, the journal given (or a fresh
     * H2 one in {@code scratch}), no admin tokens (the admin API answers loopback only), a shutdown that leaves the JVM running, each HTTP target system at its stand-in,
     * each file system (a target, or a directory source's) in {@code scratch}, each fed source at its feed's private copy, and
     * the integrations not driven removed.
     */
    Config adjust(Config all, Map<String, String> standIns, Map<String, Feed> feeds, Path scratch, java.util.Optional<String> journal) {
        Config c = all.withValue("junction.http.port", ConfigValueFactory.fromAnyRef(0))
                .withValue("junction.http.interface", ConfigValueFactory.fromAnyRef("127.0.0.1"))
                .withValue("junction.node.host", ConfigValueFactory.fromAnyRef("127.0.0.1"))
                .withValue("junction.node.port", ConfigValueFactory.fromAnyRef(0))
                .withValue("junction.node.management-port", ConfigValueFactory.fromAnyRef(0))
                .withValue("junction.node.seed-nodes", ConfigValueFactory.fromAnyRef(""))
                .withValue("junction.node.discovery", ConfigValueFactory.fromAnyRef(""))
                .withoutPath("junction.admin")
                // the node stops before the report is printed: its shutdown must not end the JVM
                .withValue("pekko.coordinated-shutdown.exit-jvm", ConfigValueFactory.fromAnyRef("off"))
                .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(List.of()));
        if (journal.isPresent()) {
            c = c.withValue("junction.persistence.url", ConfigValueFactory.fromAnyRef(journal.get()))
                    .withValue("junction.persistence.journal", ConfigValueFactory.fromAnyRef(""));
        } else {
            c = c.withValue("junction.persistence.journal", ConfigValueFactory.fromAnyRef("h2"))
                    .withValue("junction.persistence.url", ConfigValueFactory.fromAnyRef(""))
                    .withValue("junction.persistence.h2-directory", ConfigValueFactory.fromAnyRef(scratch.resolve("journal").toString()));
        }
        for (Map.Entry<String, String> s : standIns.entrySet()) {
            c = c.withValue("junction.systems." + quoted(s.getKey()) + ".base-url", ConfigValueFactory.fromAnyRef(s.getValue()));
        }
        for (String system : fileSystems) {
            c = c.withValue("junction.systems." + quoted(system) + ".root", ConfigValueFactory.fromAnyRef(fileRoot(scratch, system).toString()));
        }
        for (Driven d : driven) {
            if (feeds.containsKey(d.kind())) {
                c = feeds.get(d.kind()).adjust(c, d);
            }
        }
        for (String integration : notDriven.keySet()) {
            c = c.withoutPath("junction.integrations." + quoted(integration));
        }
        return c;
    }

    /**
     * Opens the feed of each source kind other than {@code webhook} that the driven integrations use, into {@code feeds} (so
     * the caller closes what was opened before a failure), and makes each integration's private copy.
     */
    void openFeeds(Map<String, Feed> feeds) throws UsageException {
        for (Driven d : driven) {
            if (!d.byWebhook() && !feeds.containsKey(d.kind())) {
                feeds.put(d.kind(), switch (d.kind()) {
                    case "directory" -> new DropFolder();
                    case "poll" -> new PollApi();
                    case "amqp" -> new AmqpQueue();
                    case "nats" -> new NatsStream();
                    case "mqtt" -> new MqttTopic();
                    case "outbox" -> new OutboxRows();
                    default -> throw new IllegalStateException("no feed for source kind " + d.kind());
                });
            }
            if (!d.byWebhook()) {
                feeds.get(d.kind()).open(d);
            }
        }
    }

    static Path fileRoot(Path scratch, String system) {
        return scratch.resolve("files").resolve(system);
    }

    private static String quoted(String key) {
        return com.typesafe.config.ConfigUtil.joinPath(key);
    }

    private static JsonNode schemaOf(IntegrationSettings integration) throws UsageException {
        for (StepSettings step : integration.steps()) {
            if (step instanceof StepSettings.Validate v) {
                try {
                    return JSON.readTree(Files.readString(v.schemaFile()));
                } catch (IOException e) {
                    throw new UsageException(v.schemaFile() + ": cannot read the schema: " + e.getMessage());
                }
            }
        }
        return null;
    }

    private static List<JsonNode> samples(IntegrationSettings integration, JsonNode schema, List<JsonNode> recorded) throws UsageException {
        if (!recorded.isEmpty()) {
            return recorded;
        }
        if (schema == null) {
            throw new UsageException("integration " + integration.name() + " has no validate step to generate messages from: "
                    + "give recorded messages with --messages <file, one JSON message a line>");
        }
        StepSettings.Validate validate = integration.steps().stream().filter(StepSettings.Validate.class::isInstance)
                .map(StepSettings.Validate.class::cast).findFirst().orElseThrow();
        JsonNode sample = SchemaSample.of(schema);
        var errors = validate.schema().validate(sample);
        if (!errors.isEmpty()) {
            throw new UsageException("integration " + integration.name() + ": cannot generate a valid message from "
                    + validate.schemaFile() + " (" + errors.iterator().next().getMessage() + "): give recorded messages with "
                    + "--messages <file, one JSON message a line>");
        }
        return List.of(sample);
    }

    /** Reads {@code file}: one JSON document a line, blank lines skipped; a line that is not JSON is a usage error with its number. */
    static List<JsonNode> recorded(Path file) throws UsageException {
        List<JsonNode> messages = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).isBlank()) {
                    continue;
                }
                try {
                    messages.add(JSON.readTree(lines.get(i)));
                } catch (IOException e) {
                    throw new UsageException(file + ":" + (i + 1) + ": not a JSON document: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
                }
            }
        } catch (IOException e) {
            throw new UsageException(file + ": cannot read: " + e.getMessage());
        }
        if (messages.isEmpty()) {
            throw new UsageException(file + ": no message (one JSON document a line)");
        }
        return messages;
    }
}
