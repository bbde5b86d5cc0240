package dev.junction.server.pipelinetest;

import dev.junction.connectors.api.ConfigProblem;
import dev.junction.server.config.ConfigLoader;
import dev.junction.server.config.InvalidConfigException;
import dev.junction.server.config.JunctionSettings;
import dev.junction.server.plugins.ConnectorRegistry;
import dev.junction.server.plugins.PluginProblem;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar junction-server.jar test <junction.conf or its folder> [test files or folders]}: loads and validates the
 * configuration (connectors check their settings; nothing is connected, no actor system, port or journal is started), reads
 * the test cases ({@code tests/} beside the configuration unless others are named), runs each through its integration's steps
 * and routes, and prints one line per case and a summary. Exit codes: 0 every case passed, 1 a case failed, 2 the
 * configuration or a test file has mistakes (all are printed, with file, line and path) or there is no case.
 */
public final class TestCommand {
    private TestCommand() {}

    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.isEmpty() || args.get(0).startsWith("-")) {
            err.println("usage: java -jar junction-server.jar test <junction.conf or its folder> [test files or folders]");
            return 2;
        }
        Path given = Path.of(args.get(0)).toAbsolutePath().normalize();
        Path config = Files.isDirectory(given) ? given.resolve("junction.conf") : given;
        JunctionSettings settings;
        try {
            settings = ConfigLoader.load(config, ConnectorRegistry.load(TestCommand.class.getClassLoader(),
                    ConfigLoader.pluginDirectory(config, env)), env);
        } catch (InvalidConfigException | PluginProblem e) {
            err.println(e.getMessage());
            return 2;
        }
        List<Path> files = new ArrayList<>();
        boolean named = args.size() > 1;
        List<Path> places = named ? args.subList(1, args.size()).stream().map(Path::of).toList()
                : List.of(config.getParent().resolve(TestFiles.FOLDER));
        try {
            for (Path place : places) {
                // A file named on the command line is read even when missing, so that it is reported; tests/ may be absent.
                files.addAll(Files.isDirectory(place) ? TestFiles.in(place) : named ? List.of(place) : List.of());
            }
        } catch (IOException e) {
            err.println("cannot list the test files: " + e);
            return 2;
        }
        TestFiles reader = new TestFiles(settings);
        List<TestCase> cases = reader.read(files);
        List<ConfigProblem> problems = reader.problems();
        if (!problems.isEmpty()) {
            err.println(problems.size() + (problems.size() == 1 ? " problem" : " problems") + " in the test files:");
            problems.forEach(p -> err.println("  - " + p));
            return 2;
        }
        if (cases.isEmpty()) {
            err.println("no test cases in " + String.join(", ", places.stream().map(Path::toString).toList())
                    + ": each *.conf or *.json file there is a case (see the README, \"Testing an integration\")");
            return 2;
        }
        return runAll(settings, cases, out);
    }

    private static int runAll(JunctionSettings settings, List<TestCase> cases, PrintStream out) {
        long start = System.nanoTime();
        int failed = 0;
        for (TestCase testCase : cases) {
            long t0 = System.nanoTime();
            List<CaseRunner.Failure> failures;
            try {
                failures = CaseRunner.run(testCase, settings.integrations().get(testCase.integration()));
            } catch (RuntimeException e) {
                failures = List.of(new CaseRunner.Failure("the case", List.of("threw " + e)));
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            out.printf("%s  %s (%d ms)%n", failures.isEmpty() ? "PASS" : "FAIL", testCase.name(), ms);
            for (CaseRunner.Failure failure : failures) {
                if (failure.lines().size() == 1 && !failure.lines().get(0).startsWith("/")) {
                    out.println("      " + failure.where() + ": " + failure.lines().get(0));
                } else {
                    out.println("      " + failure.where() + ":");
                    failure.lines().forEach(line -> out.println("        " + line));
                }
            }
            failed += failures.isEmpty() ? 0 : 1;
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        out.printf("%d %s: %d passed, %d failed (%d ms)%n", cases.size(), cases.size() == 1 ? "case" : "cases", cases.size() - failed, failed, ms);
        return failed == 0 ? 0 : 1;
    }
}
