package dev.junction.connectors.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.junction.connectors.api.ConfigProblem;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.Connector;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FileConnectorTest {
    private static final String SOURCE = "junction.integrations.orders.source.directory";
    private static final String TARGET = "junction.integrations.orders.targets.archive.file";

    private static List<ConfigProblem> problems(ConfigSpec spec, String path, String hocon) {
        return spec.validate(ConfigFactory.parseString(hocon, com.typesafe.config.ConfigParseOptions.defaults().setOriginDescription("app.conf")),
                path, Set.of());
    }

    private static ConfigProblem only(List<ConfigProblem> problems) {
        assertEquals(1, problems.size(), problems::toString);
        return problems.get(0);
    }

    @Test
    void isFoundByTheServiceLoaderWithOneSinkAndTheDirectorySource() {
        Connector file = ServiceLoader.load(Connector.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(c -> c.name().equals("file"))
                .findFirst().orElseThrow();
        assertTrue(file.sink().isPresent());
        assertEquals(Set.of("directory"), file.sources().keySet());
        assertEquals(List.of(), file.systemSpec().validate(ConfigFactory.parseString("root = drop"), "junction.systems.erp", Set.of()));
    }

    @Test
    void aValidSinkBlockHasNoProblems() {
        assertEquals(List.of(), problems(FileSinkFactory.SPEC, TARGET, "path = out/orders.jsonl, fsync = false"));
    }

    @Test
    void theSinkPathIsRequired() {
        ConfigProblem problem = only(problems(FileSinkFactory.SPEC, TARGET, "fsync = true"));
        assertEquals(TARGET + ".path", problem.path());
        assertTrue(problem.reason().contains("required"), problem::toString);
    }

    @Test
    void pathsMayNotLeaveTheSystemRoot() {
        for (String escape : List.of("../elsewhere.jsonl", "out/../../elsewhere.jsonl", "/etc/passwd", "..", "out/..", "")) {
            ConfigProblem problem = only(problems(FileSinkFactory.SPEC, TARGET, "path = \"" + escape + "\""));
            assertEquals(TARGET + ".path", problem.path());
            assertEquals(SystemRoot.NOT_INSIDE, problem.reason());
            assertEquals("\"" + escape + "\"", problem.value());
        }
        assertEquals(List.of(), problems(FileSinkFactory.SPEC, TARGET, "path = \"out/./x/../orders.jsonl\""));
    }

    @Test
    void unknownSettingsAreReportedWithTheKnownOnes() {
        ConfigProblem problem = only(problems(FileSinkFactory.SPEC, TARGET, "path = a.jsonl, fsinc = false"));
        assertEquals(TARGET + ".fsinc", problem.path());
        assertTrue(problem.reason().contains("known settings: fsync, path"), problem::toString);
    }

    @Test
    void aValidDirectoryBlockHasNoProblems() {
        assertEquals(List.of(), problems(DirectorySourceFactory.SPEC, SOURCE,
                "path = inbox, pattern = \"*.{json,jsonl}\", poll-interval = 250ms, idempotency-key = \"json:/order/id\", parallelism = 8"));
    }

    @Test
    void everyProblemOfADirectoryBlockIsReportedAtOnce() {
        List<ConfigProblem> problems = problems(DirectorySourceFactory.SPEC, SOURCE,
                "pattern = \"[\", poll-interval = 0s, idempotency-key = \"json:order\", parallelism = 0, polling = yes");
        List<String> paths = problems.stream().map(ConfigProblem::path).sorted().toList();
        assertEquals(List.of(SOURCE + ".idempotency-key", SOURCE + ".parallelism", SOURCE + ".path", SOURCE + ".pattern",
                SOURCE + ".poll-interval", SOURCE + ".polling"), paths, problems::toString);
    }

    @Test
    void aPollIntervalMustBeAPositiveDuration() {
        assertEquals("must be longer than zero", only(problems(DirectorySourceFactory.SPEC, SOURCE, "path = in, poll-interval = -1s")).reason());
        assertTrue(only(problems(DirectorySourceFactory.SPEC, SOURCE, "path = in, poll-interval = soon")).reason().contains("duration"));
    }

    @Test
    void theDirectoryPathIsRequiredAndMayNotEscape() {
        assertTrue(only(problems(DirectorySourceFactory.SPEC, SOURCE, "pattern = \"*.json\"")).reason().contains("required"));
        assertEquals(SystemRoot.NOT_INSIDE, only(problems(DirectorySourceFactory.SPEC, SOURCE, "path = \"../other\"")).reason());
    }

    @Test
    void aDirectorySourceClaimsItsDirectorySoTwoSourcesCannotShareOne() {
        DirectorySourceFactory factory = new DirectorySourceFactory();
        Set<String> first = factory.claims(TestSupport.system("data"), ConfigFactory.parseString("path = in"));
        assertEquals(Set.of("directory data/in"), first);
        assertEquals(first, factory.claims(TestSupport.system("./data"), ConfigFactory.parseString("path = \"x/../in\"")));
        assertEquals(Set.of("directory data/out"), factory.claims(TestSupport.system("data"), ConfigFactory.parseString("path = out")));
        assertEquals(Set.of("directory in"), factory.claims(ConfigFactory.empty(), ConfigFactory.parseString("path = in")));
    }

    @Test
    void aRelativeRootResolvesAgainstTheConfigDirectoryAndAnAbsoluteOneStands(@org.junit.jupiter.api.io.TempDir Path dir) {
        assertEquals(dir.resolve("data/in"), SystemRoot.resolve(TestSupport.system("data"), dir, "in"));
        assertEquals(dir.resolve("in"), SystemRoot.resolve(ConfigFactory.empty(), dir, "in"));
        Path elsewhere = dir.resolve("abs").toAbsolutePath();
        assertEquals(elsewhere.resolve("in"), SystemRoot.resolve(TestSupport.system(elsewhere.toString()), Path.of("/nowhere"), "in"));
        assertThrows(IllegalArgumentException.class, () -> SystemRoot.resolve(TestSupport.system("data"), dir, "../x"));
    }
}
