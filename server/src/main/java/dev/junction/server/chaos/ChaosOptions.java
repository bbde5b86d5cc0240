package dev.junction.server.chaos;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The command line of {@code chaos}, parsed and checked.
 *
 * @param config    the user's junction.conf (a folder means its junction.conf)
 * @param scenarios run one after the other against one node, in the order given
 * @param rate      messages a second sent to each driven integration
 * @param duration  how long each scenario sends
 * @param settle    how long to wait after sending for every accepted message to end delivered, filtered or dead-lettered
 * @param messages  recorded messages, one JSON document a line; empty: generated from each integration's validate schema
 * @param journal   a JDBC URL for the journal; empty: a fresh embedded H2 journal in a temporary directory
 * @param report    where to write the report as JSON; empty: printed only
 */
record ChaosOptions(Path config, List<Scenario> scenarios, double rate, Duration duration, Duration settle,
                    Optional<Path> messages, Optional<String> journal, Slos slos, Optional<Path> report) {

    static final String USAGE = """
            usage: java -jar junction-server.jar chaos <junction.conf or its folder> --scenario <name>[,<name>...]
                     [--rate 20/s] [--duration 10s] [--settle 60s] [--messages <file, one JSON message a line>]
                     [--slo p99=2s,lost=0,duplicates=0] [--report report.json] [--journal <jdbc url>]
            scenarios: %s""".formatted(Scenario.names());

    static ChaosOptions parse(List<String> args) throws UsageException {
        if (args.isEmpty() || args.get(0).startsWith("-")) {
            throw new UsageException(USAGE);
        }
        Path given = Path.of(args.get(0)).toAbsolutePath().normalize();
        Path config = Files.isDirectory(given) ? given.resolve("junction.conf") : given;
        if (!Files.isRegularFile(config)) {
            throw new UsageException(config + ": configuration file not found");
        }
        List<Scenario> scenarios = List.of(Scenario.BASELINE);
        double rate = 20;
        Duration duration = Duration.ofSeconds(10);
        Duration settle = Duration.ofSeconds(60);
        Optional<Path> messages = Optional.empty();
        Optional<String> journal = Optional.empty();
        Optional<Path> report = Optional.empty();
        Slos slos = Slos.parse("");
        for (int i = 1; i < args.size(); i += 2) {
            String option = args.get(i);
            if (i + 1 >= args.size()) {
                throw new UsageException(option + " needs a value\n" + USAGE);
            }
            String value = args.get(i + 1);
            switch (option) {
                case "--scenario" -> scenarios = scenarios(value);
                case "--rate" -> rate = rate(value);
                case "--duration" -> duration = duration(option, value);
                case "--settle" -> settle = duration(option, value);
                case "--messages" -> messages = Optional.of(existing(option, value));
                case "--journal" -> journal = Optional.of(value);
                case "--slo" -> slos = Slos.parse(value);
                case "--report" -> report = Optional.of(Path.of(value).toAbsolutePath().normalize());
                default -> throw new UsageException("unknown option " + option + "\n" + USAGE);
            }
        }
        if (scenarios.contains(Scenario.JOURNAL_DOWN) && journal.isEmpty()) {
            throw new UsageException("--scenario journal-down needs --journal jdbc:postgresql://<host>[:<port>]/<database> (a scratch "
                    + "database: the run writes its journal there); an embedded H2 journal cannot be made to refuse connections");
        }
        return new ChaosOptions(config, scenarios, rate, duration, settle, messages, journal, slos, report);
    }

    /** How many messages a scenario sends to each integration. */
    int messagesPerIntegration() {
        return (int) Math.max(1, Math.round(rate * duration.toMillis() / 1000.0));
    }

    private static List<Scenario> scenarios(String value) throws UsageException {
        List<Scenario> result = new ArrayList<>();
        for (String name : value.split(",")) {
            String trimmed = name.trim();
            result.add(Scenario.byWire(trimmed).orElseThrow(() -> new UsageException(
                    "--scenario " + trimmed + ": unknown scenario (known: " + Scenario.names() + ")")));
        }
        return List.copyOf(result);
    }

    private static double rate(String value) throws UsageException {
        String number = value.endsWith("/s") ? value.substring(0, value.length() - 2) : value;
        try {
            double rate = Double.parseDouble(number);
            if (rate > 0 && rate <= 10_000) {
                return rate;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("--rate " + value + ": must be messages a second between 0 and 10000, such as 200/s");
    }

    static Duration duration(String option, String value) throws UsageException {
        try {
            Duration d = ConfigFactory.empty().withValue("d", ConfigValueFactory.fromAnyRef(value)).getDuration("d");
            if (!d.isNegative() && !d.isZero()) {
                return d;
            }
        } catch (ConfigException e) {
            // reported below
        }
        throw new UsageException(option + " " + value + ": must be a positive duration such as 30s or 500ms");
    }

    private static Path existing(String option, String value) throws UsageException {
        Path path = Path.of(value).toAbsolutePath().normalize();
        if (!Files.isRegularFile(path)) {
            throw new UsageException(option + " " + value + ": file not found");
        }
        return path;
    }
}
