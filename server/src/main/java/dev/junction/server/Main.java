package dev.junction.server;

import dev.junction.server.chaos.ChaosCommand;
import dev.junction.server.config.ConfigLoader;
import dev.junction.server.config.InvalidConfigException;
import dev.junction.server.config.JunctionSettings;
import dev.junction.server.observability.Observability;
import dev.junction.server.persistence.JournalSchema;
import dev.junction.server.pipelinetest.TestCommand;
import dev.junction.server.plugins.ConnectorRegistry;
import dev.junction.server.plugins.PluginProblem;
import java.nio.file.Path;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar junction-server.jar path/to/junction.conf}. Exit codes: 0 stopped normally, 1 could not start (journal
 * unreachable, port taken), 2 the configuration or a plugin has mistakes (all of them are printed).
 *
 * <p>{@code java -jar junction-server.jar test <junction.conf or folder>} runs the pipeline tests instead, without starting
 * anything ({@link TestCommand}); {@code java -jar junction-server.jar chaos <junction.conf> --scenario <name>} runs the
 * integrations against fault-injecting stand-ins and reports what survived ({@link ChaosCommand}).
 */
public final class Main {
    static {
        // Before anything touches ForkJoinPool: with one or two CPUs the common pool's parallelism is 1, and CompletableFuture
        // then runs every async callback on a NEW THREAD (ThreadPerTaskExecutor). Pekko's javadsl stages come from Scala's
        // FutureConverters, which run even thenApply/handle callbacks asynchronously, so on a 2-core machine the server
        // started ~8,000 threads a second under load. A common pool of at least two threads avoids that.
        String parallelism = "java.util.concurrent.ForkJoinPool.common.parallelism";
        if (System.getProperty(parallelism) == null) {
            System.setProperty(parallelism, String.valueOf(Math.max(2, Runtime.getRuntime().availableProcessors())));
        }
        // Kamon next, before the logger below and before Pekko: its agent instruments only classes that load after it.
        Observability.init(System.getenv());
    }

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {}

    public static void main(String[] args) {
        int code;
        try {
            code = run(args, System.getenv(), System.err);
        } catch (Throwable t) {
            String explained = StartFailures.explain(t);
            if (explained != null) {
                System.err.println(explained);
            } else {
                log.error("Junction could not start: {}", t.toString(), t);
            }
            code = 1;
        }
        boolean command = args.length >= 1 && (args[0].equals("test") || args[0].equals("chaos"));
        if (code != 0 || command) {
            // Pekko's non-daemon threads would otherwise keep a failed JVM (or a finished command) alive.
            System.exit(code);
        }
    }

    /** Starts a node; returns the exit code when it cannot start (and 0 once it has started). */
    static int run(String[] args, java.util.Map<String, String> env, java.io.PrintStream err) throws Exception {
        if (args.length >= 1 && args[0].equals("test")) {
            return TestCommand.run(java.util.List.of(args).subList(1, args.length), env, System.out, err);
        }
        if (args.length >= 1 && args[0].equals("chaos")) {
            // The node's INFO lines (a breaker opening, each 429 pause) would bury the report: WARN and above (each dead
            // letter, with its reason) stay, as does a finer level someone asked for.
            if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root
                    && root.getEffectiveLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.INFO)) {
                root.setLevel(ch.qos.logback.classic.Level.WARN);
            }
            return ChaosCommand.run(java.util.List.of(args).subList(1, args.length), env, System.out, err, Main::chaosNode);
        }
        if (args.length != 1 || args[0].startsWith("-")) {
            err.println("usage: java -jar junction-server.jar <junction.conf>");
            err.println("       java -jar junction-server.jar test <junction.conf or its folder> [test files or folders]");
            err.println("       java -jar junction-server.jar chaos <junction.conf or its folder> --scenario <name>[,<name>...] [options]");
            return args.length == 1 && (args[0].equals("--help") || args[0].equals("-h")) ? 0 : 2;
        }
        ConnectorRegistry connectors;
        try {
            connectors = ConnectorRegistry.load(Main.class.getClassLoader(), ConfigLoader.pluginDirectory(Path.of(args[0]), env));
        } catch (PluginProblem e) {
            err.println(e.getMessage());
            return 2;
        }
        connectors.logLoaded();
        JunctionSettings settings;
        try {
            settings = ConfigLoader.load(Path.of(args[0]), connectors, env);
        } catch (InvalidConfigException e) {
            err.println(e.getMessage());
            return 2;
        }
        try {
            JournalSchema.ensure(settings.persistence());
        } catch (SQLException e) {
            err.println("cannot use the journal database at " + JournalSchema.redacted(settings.persistence().url()) + ": " + e.getMessage());
            return 1;
        }
        Junction junction = Junction.start(settings, connectors, file -> ConfigLoader.load(file, connectors, env));
        log.info("Junction started: {} integration(s), HTTP {}", settings.integrations().size(), junction.httpAddress());
        return 0;
    }

    /** The node a chaos run drives: a {@link Junction} on the adjusted settings. */
    public static dev.junction.server.chaos.Node chaosNode(JunctionSettings settings, ConnectorRegistry connectors,
                                                     dev.junction.server.reload.Reloader.Loader reload) throws Exception {
        Junction junction = Junction.start(settings, connectors, reload);
        return new dev.junction.server.chaos.Node() {
            @Override
            public java.net.InetSocketAddress httpAddress() {
                return junction.httpAddress();
            }

            @Override
            public void close() throws Exception {
                junction.close();
            }
        };
    }
}
