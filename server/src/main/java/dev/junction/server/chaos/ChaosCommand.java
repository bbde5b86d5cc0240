package dev.junction.server.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import dev.junction.server.config.ConfigLoader;
import dev.junction.server.config.InvalidConfigException;
import dev.junction.server.config.JunctionSettings;
import dev.junction.server.persistence.JournalSchema;
import dev.junction.server.plugins.ConnectorRegistry;
import dev.junction.server.plugins.PluginProblem;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * {@code java -jar junction-server.jar chaos <junction.conf> --scenario <name>[,<name>...] [options]}: starts the user's
 * integrations, unchanged, on a scratch journal with each HTTP target at a fault-injecting {@link StandIn} on loopback, drives
 * their webhooks (other sources through a {@link Feed} into copies of the run's own), applies each scenario and prints a report per scenario (see {@link ChaosOptions#USAGE} and the README,
 * "Testing an integration before it goes live"). Exit codes: 0 every scenario met its objectives, 1 one did not, 2 the command
 * line, the configuration or the recorded messages have a mistake (printed, without a stack trace).
 */
public final class ChaosCommand {
    private ChaosCommand() {}

    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err, Node.Starter starter) {
        if (args.size() == 1 && (args.get(0).equals("--help") || args.get(0).equals("-h"))) {
            out.println(ChaosOptions.USAGE);
            Arrays.stream(Scenario.values()).forEach(s -> out.printf("  %-14s %s%n", s.wire(), s.description()));
            return 0;
        }
        try {
            return runChecked(args, env, out, starter);
        } catch (UsageException e) {
            err.println(e.getMessage());
            return 2;
        } catch (InvalidConfigException | PluginProblem e) {
            err.println(e.getMessage());
            return 2;
        }
    }

    private static int runChecked(List<String> args, Map<String, String> env, PrintStream out, Node.Starter starter)
            throws UsageException, InvalidConfigException, PluginProblem {
        ChaosOptions options = ChaosOptions.parse(args);
        ConnectorRegistry connectors = ConnectorRegistry.load(ChaosCommand.class.getClassLoader(),
                ConfigLoader.pluginDirectory(options.config(), env));
        JunctionSettings settings = ConfigLoader.load(options.config(), connectors, env);
        List<JsonNode> recorded = options.messages().isPresent() ? Plan.recorded(options.messages().get()) : List.of();
        Path scratch = scratch();
        Plan plan;
        try {
            plan = Plan.of(settings, recorded, scratch);
        } catch (UsageException e) {
            delete(scratch);
            throw e;
        }
        Ledger ledger = new Ledger();
        Map<String, StandIn> standIns = new LinkedHashMap<>();
        Map<String, Feed> feeds = new LinkedHashMap<>();
        JournalProxy proxy = options.scenarios().contains(Scenario.JOURNAL_DOWN) ? JournalProxy.inFrontOf(options.journal().orElseThrow()) : null;
        java.util.Optional<String> journal = proxy == null ? options.journal() : java.util.Optional.of(proxy.url());
        try {
            plan.httpSystems().forEach(system -> standIns.put(system, new StandIn(system, ledger)));
            plan.openFeeds(feeds);
            Map<String, String> urls = new LinkedHashMap<>();
            standIns.forEach((system, standIn) -> urls.put(system, standIn.baseUrl()));
            UnaryOperator<Config> adjust = all -> plan.adjust(all, urls, feeds, scratch, journal);
            JunctionSettings adjusted = ConfigLoader.load(options.config(), connectors, env, adjust);
            try {
                JournalSchema.ensure(adjusted.persistence());
            } catch (SQLException e) {
                throw new UsageException("cannot use the journal database at " + JournalSchema.redacted(adjusted.persistence().url())
                        + ": " + e.getMessage());
            }
            List<ScenarioResult> results;
            try (Node node = starter.start(adjusted, connectors, file -> ConfigLoader.load(file, connectors, env, adjust))) {
                results = new ChaosRun(options, plan, standIns, feeds, proxy, ledger, scratch, adjusted).run(node);
            }
            Report.print(heading(options, plan, urls, feeds, scratch), plan.notDriven(), results, out);
            if (options.report().isPresent()) {
                Report.writeJson(options.report().get(), options.config().toString(), plan.notDriven(), results);
                out.println();
                out.println("report written to " + options.report().get());
            }
            return results.stream().allMatch(ScenarioResult::passed) ? 0 : 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsageException("interrupted");
        } catch (UsageException | InvalidConfigException e) {
            throw e;
        } catch (Exception e) {
            throw new UsageException("the chaos run could not go on: " + e);
        } finally {
            standIns.values().forEach(StandIn::close);
            feeds.values().forEach(Feed::close);
            if (proxy != null) {
                proxy.close();
            }
            delete(scratch);
        }
    }

    private static String heading(ChaosOptions options, Plan plan, Map<String, String> urls, Map<String, Feed> feeds, Path scratch) {
        StringBuilder s = new StringBuilder("chaos run of " + options.config() + "\n");
        s.append("  driven: ").append(String.join(", ", plan.driven().stream().map(Driven::integration).toList()))
                .append(String.format(" at %s/s for %s s each (after a warm-up that is not reported), settle timeout %s s%n", trim(options.rate()),
                        trim(options.duration().toMillis() / 1000.0), trim(options.settle().toMillis() / 1000.0)));
        s.append("  journal: ").append(options.journal().map(JournalSchema::redacted).orElse("a fresh embedded H2 in " + scratch))
                .append(options.scenarios().contains(Scenario.JOURNAL_DOWN) ? ", through a proxy that journal-down closes" : "").append('\n');
        urls.forEach((system, url) -> s.append("  target ").append(system).append(": stand-in at ").append(url).append('\n'));
        plan.driven().stream().filter(d -> !d.byWebhook()).forEach(d -> s.append("  source of ").append(d.integration())
                .append(": ").append(feeds.get(d.kind()).describe(d)).append('\n'));
        plan.fileSystems().forEach(system -> s.append("  file system ").append(system).append(": files in ")
                .append(Plan.fileRoot(scratch, system)).append(" (no fault injected: scenarios act on HTTP targets and the input)\n"));
        return s.toString().stripTrailing();
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    private static Path scratch() throws UsageException {
        try {
            return Files.createTempDirectory("junction-chaos-");
        } catch (IOException e) {
            throw new UsageException("cannot create a scratch directory: " + e.getMessage());
        }
    }

    private static void delete(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is not worth failing the report for
        }
    }
}
