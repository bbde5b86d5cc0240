package dev.junction.connectors.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigProblem;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.Connector;
import dev.junction.connectors.api.PermanentException;
import dev.junction.connectors.api.RetriableException;
import dev.junction.connectors.api.SinkContext;
import dev.junction.connectors.api.SinkFactory;
import dev.junction.connectors.api.SinkInstance;
import dev.junction.connectors.api.SinkRecord;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceFactory;
import dev.junction.connectors.api.SourceInstance;
import dev.junction.connectors.api.SourceStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every connector passes, against the real service. A connector author extends this class in an {@code *IT},
 * names the connector, a valid system block and the blocks it must refuse, and gives a {@link SourceFixture} and/or a
 * {@link SinkFixture} that talk to the real service; every test below then runs on it. A test for a capability the connector
 * lacks (no source, no sink, a source without a connection to drop) is reported as skipped, never as passed.
 *
 * <p>What it checks: the specs are documented and refuse bad blocks with the path and the reason; a source acknowledges only
 * after the inbox confirmed, a refusal leads to redelivery and not to loss, a dropped connection loses nothing acknowledged
 * and leaves nothing unacknowledged, an unusable message is never acknowledged silently, and stop releases everything; a
 * sink carries the idempotency key in the target's native place, classifies failures as retriable, throttled or permanent,
 * and close releases everything.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("try") // fixtures' close() may be interrupted: they talk to real services
public abstract class ConnectorContract {
    /** How long the kit waits for anything asynchronous to happen. */
    protected static final Duration PATIENCE = Duration.ofSeconds(60);
    /** How long {@link SourceFixture#hangConnection} lasts: a fixture that hangs sets its connection timeout well below it. */
    protected static final Duration HANG = Duration.ofSeconds(6);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ActorSystem<Void> actorSystem;
    private ExecutorService blocking;

    @TempDir
    protected Path configDirectory;

    /** The connector under test. */
    protected abstract Connector connector();

    /** Blocks the connector must refuse, each with the path and reason of the problem it must report. */
    protected abstract List<BadConfig> badConfigs();

    /** A fresh fixture for one source test, or null when the connector has no source. */
    protected SourceFixture sourceFixture() throws Exception {
        return null;
    }

    /** A fresh fixture for one sink test, or null when the connector has no sink. */
    protected SinkFixture sinkFixture() throws Exception {
        return null;
    }

    /** Messages published by the source tests; a connector whose service is slow may ask for fewer. */
    protected int messageCount() {
        return 200;
    }

    @BeforeAll
    void startActorSystem() {
        actorSystem = ActorSystem.create(Behaviors.empty(), "testkit", ConfigFactory.parseString(
                "pekko.loglevel = WARNING\npekko.coordinated-shutdown.exit-jvm = off").withFallback(ConfigFactory.load()));
        blocking = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "testkit-blocking");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    void stopActorSystem() throws Exception {
        actorSystem.terminate();
        actorSystem.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        blocking.shutdownNow();
    }

    // ---- configuration

    @Test
    void everySpecAndSettingIsDescribed() {
        Connector connector = connector();
        assertFalse(connector.name().isBlank(), "a connector has a name");
        List<String> undocumented = new ArrayList<>();
        Map<String, ConfigSpec> specs = new java.util.TreeMap<>();
        specs.put("system", connector.systemSpec());
        connector.sources().forEach((kind, factory) -> specs.put("source " + kind, factory.spec()));
        connector.sink().ifPresent(sink -> specs.put("target", sink.spec()));
        specs.forEach((where, spec) -> {
            if (spec.description().isBlank()) {
                undocumented.add(where);
            }
            for (ConfigField field : spec.fields()) {
                if (field.description().isBlank()) {
                    undocumented.add(where + "." + field.name());
                }
            }
        });
        assertEquals(List.of(), undocumented, "every spec and setting says what it is for (docs and the admin API show it)");
    }

    @Test
    void badConfigurationIsRefusedWithItsPathAndReason() {
        List<BadConfig> bad = badConfigs();
        assertFalse(bad.isEmpty(), "name at least one block the connector must refuse");
        for (BadConfig config : bad) {
            List<ConfigProblem> problems = validate(config.block(), ConfigFactory.parseString(config.hocon()), systemFor(config.block()));
            String expectedPath = "test." + config.path();
            assertTrue(problems.stream().anyMatch(p -> p.path().equals(expectedPath) && p.reason().contains(config.reason())),
                    () -> "expected a problem at " + expectedPath + " saying '" + config.reason() + "' for " + config.block()
                            + " { " + config.hocon() + " }; got " + problems);
        }
    }

    @Test
    void theFixturesConfigurationIsValid() throws Exception {
        boolean any = false;
        try (SourceFixture source = sourceFixture()) {
            if (source != null) {
                any = true;
                assertEquals(List.of(), validate("system", source.system(), source.system()), "the source fixture's system block");
                assertEquals(List.of(), validate("source:" + source.kind(), source.settings(), source.system()),
                        "the source fixture's block");
            }
        }
        try (SinkFixture sink = sinkFixture()) {
            if (sink != null) {
                any = true;
                assertEquals(List.of(), validate("system", sink.system(), sink.system()), "the sink fixture's system block");
                assertEquals(List.of(), validate("target", sink.settings(), sink.system()), "the sink fixture's block");
            }
        }
        assertTrue(any, "a connector has a source or a sink; give at least one fixture");
    }

    // ---- sources

    @Test
    void aSourceAcknowledgesOnlyAfterTheInboxConfirmed() throws Exception {
        try (SourceFixture fixture = sourceFixture()) {
            assumeTrue(fixture != null, "the connector has no source");
            TestIngestor inbox = new TestIngestor();
            inbox.hold();
            SourceInstance source = start(fixture, inbox);
            try {
                List<TestMessage> messages = messages("held", 20);
                publishAsync(fixture, source, messages);
                eventually("the source offers messages to the inbox", () -> inbox.offers() >= 1);
                Thread.sleep(1000); // the inbox has not answered: give a wrong source time to acknowledge anyway
                assertEquals(messages.size(), fixture.outstanding(),
                        "nothing is acknowledged while the inbox has not confirmed");
                assertEquals(0, inbox.accepted().size());
                inbox.release();
                eventually("every message accepted", () -> inbox.acceptedKeys().containsAll(keys(messages)));
                eventually("every message acknowledged once the inbox confirmed", () -> fixture.outstanding() == 0);
            } finally {
                inbox.release();
                stop(source);
            }
        }
    }

    @Test
    void aRefusalLeadsToRedeliveryNotLoss() throws Exception {
        try (SourceFixture fixture = sourceFixture()) {
            assumeTrue(fixture != null, "the connector has no source");
            TestIngestor inbox = new TestIngestor();
            inbox.refuseFirst(2);
            SourceInstance source = start(fixture, inbox);
            try {
                List<TestMessage> messages = messages("refused", messageCount());
                fixture.publish(source, messages);
                eventually("every refused message offered again until accepted", () -> inbox.acceptedKeys().containsAll(keys(messages)));
                assertEquals(messages.size(), inbox.accepted().size(), "each key accepted once");
                for (TestMessage m : messages) {
                    assertTrue(inbox.attempts(m.key()) >= 3, m.key() + " was refused twice, so offered at least 3 times");
                }
                eventually("nothing left unacknowledged", () -> fixture.outstanding() == 0);
            } finally {
                stop(source);
            }
        }
    }

    @Test
    void aConnectionAttemptThatTimesOutIsTriedAgainUntilTheServiceAnswers() throws Exception {
        try (SourceFixture fixture = sourceFixture()) {
            assumeTrue(fixture != null, "the connector has no source");
            TestIngestor inbox = new TestIngestor();
            SourceInstance source = start(fixture, inbox);
            try {
                List<TestMessage> first = messages("before-hang", messageCount());
                fixture.publish(source, first);
                eventually("every message accepted before the hang", () -> inbox.acceptedKeys().containsAll(keys(first)));
                boolean hung = fixture.hangConnection(source);
                assumeTrue(hung, "the source has no connection of its own to hang");
                Thread.sleep(HANG.toMillis()); // the fault's length: longer than the fixture's connection timeout, so attempts time out
                fixture.answerAgain();
                List<TestMessage> second = messages("after-hang", messageCount());
                fixture.publish(source, second);
                eventually("every message accepted once the service answers again", () -> inbox.acceptedKeys().containsAll(keys(second)));
                assertEquals(first.size() + second.size(), inbox.accepted().size(), "each key accepted once");
                eventually("nothing left unacknowledged", () -> fixture.outstanding() == 0);
            } finally {
                fixture.answerAgain();
                stop(source);
            }
        }
    }

    @Test
    void throughADroppedConnectionNothingAcknowledgedIsLostAndNothingStaysUnacknowledged() throws Exception {
        try (SourceFixture fixture = sourceFixture()) {
            assumeTrue(fixture != null, "the connector has no source");
            TestIngestor inbox = new TestIngestor();
            SourceInstance source = start(fixture, inbox);
            try {
                List<TestMessage> first = messages("before-drop", messageCount());
                fixture.publish(source, first);
                eventually("some messages accepted before the drop", () -> inbox.accepted().size() > 0);
                boolean dropped = fixture.dropConnection(source);
                assumeTrue(dropped, "the source has no connection of its own to drop");
                List<TestMessage> second = messages("after-drop", messageCount());
                fixture.publish(source, second);
                Set<String> all = new java.util.HashSet<>(keys(first));
                all.addAll(keys(second));
                eventually("every message accepted after the reconnect", () -> inbox.acceptedKeys().containsAll(all));
                assertEquals(all.size(), inbox.accepted().size(), "each key accepted once");
                eventually("nothing left unacknowledged after the reconnect", () -> fixture.outstanding() == 0);
            } finally {
                stop(source);
            }
        }
    }

    @Test
    void anUnusableMessageIsNeverAcknowledgedSilently() throws Exception {
        try (SourceFixture fixture = sourceFixture()) {
            assumeTrue(fixture != null, "the connector has no source");
            TestIngestor inbox = new TestIngestor();
            SourceInstance source = start(fixture, inbox);
            try {
                assumeTrue(fixture.publishUnusable(source), "the source cannot receive an unusable message");
                eventually("the unusable message is recorded as a dead letter or refused where it came from",
                        () -> inbox.rejected().size() == 1 || fixture.refusedAtTheSource());
                assertEquals(List.of(), inbox.accepted(), "an unusable message is never accepted as a message");
                eventually("and it is not left with the service either", () -> fixture.outstanding() == 0);
            } finally {
                stop(source);
            }
        }
    }

    @Test
    void stoppingASourceReleasesEverything() throws Exception {
        try (SourceFixture fixture = sourceFixture()) {
            assumeTrue(fixture != null, "the connector has no source");
            Set<Thread> before = Thread.getAllStackTraces().keySet();
            TestIngestor inbox = new TestIngestor();
            SourceInstance source = start(fixture, inbox);
            List<TestMessage> messages = messages("stop", 20);
            fixture.publish(source, messages);
            eventually("the messages accepted", () -> inbox.acceptedKeys().containsAll(keys(messages)));
            stop(source);
            noThreadOutlives("the source", before, fixture.ownThreads());
        }
    }

    // ---- sinks

    @Test
    void aSinkCarriesTheIdempotencyKeyInItsNativePlace() throws Exception {
        try (SinkFixture fixture = sinkFixture()) {
            assumeTrue(fixture != null, "the connector has no sink");
            SinkInstance sink = createSink(fixture);
            try {
                for (int attempt = 1; attempt <= 2; attempt++) { // a retry carries the same key
                    sink.send(record("order-17", "{\"id\":\"order-17\",\"total\":52.0}", attempt)).toCompletableFuture()
                            .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                }
                sink.send(record("order-18", "{\"id\":\"order-18\"}", 1)).toCompletableFuture().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                eventually("the target received both keys", () -> fixture.received().stream().map(SinkFixture.Received::key)
                        .collect(java.util.stream.Collectors.toSet()).containsAll(Set.of("order-17", "order-18")));
                for (SinkFixture.Received r : fixture.received()) {
                    String id = JSON.readTree(r.body()).path("id").asText();
                    assertEquals(id, r.key(), "the key travels with its own message: " + r);
                }
            } finally {
                sink.close().toCompletableFuture().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aSinkClassifiesFailures() throws Exception {
        try (SinkFixture fixture = sinkFixture()) {
            assumeTrue(fixture != null, "the connector has no sink");
            assumeTrue(!fixture.failures().isEmpty(), "the fixture names no way to make the target fail");
            SinkInstance sink = createSink(fixture);
            try {
                int n = 0;
                for (FailureCase failure : fixture.failures()) {
                    failure.induce().run();
                    Throwable error;
                    try {
                        sink.send(record("fail-" + ++n, "{\"id\":\"fail-" + n + "\"}", 1)).toCompletableFuture()
                                .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                        error = null;
                    } catch (java.util.concurrent.ExecutionException e) {
                        error = e.getCause();
                    } finally {
                        failure.restore().run();
                    }
                    String name = failure.name();
                    if (error == null) {
                        fail(name + ": the attempt succeeded; it must fail as " + failure.expected());
                    }
                    switch (failure.expected()) {
                        case PERMANENT -> assertInstanceOf(PermanentException.class, error, name + " is permanent: " + error);
                        case RETRIABLE -> {
                            assertInstanceOf(RetriableException.class, error, name + " is retriable: " + error);
                            assertFalse(((RetriableException) error).isThrottled(), name + " is not throttling");
                        }
                        case THROTTLED -> {
                            assertInstanceOf(RetriableException.class, error, name + " is retriable: " + error);
                            assertTrue(((RetriableException) error).isThrottled(), name + " is throttling");
                        }
                    }
                }
                // and it recovers once the target does: attempts go on while they fail as retriable, as the server's would
                eventually("an attempt succeeds once the target is healthy again", () -> {
                    try {
                        sink.send(record("after-failures", "{\"id\":\"after-failures\"}", 1)).toCompletableFuture()
                                .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                        return true;
                    } catch (java.util.concurrent.ExecutionException e) {
                        if (e.getCause() instanceof RetriableException) {
                            Thread.sleep(500);
                            return false;
                        }
                        throw e;
                    }
                });
            } finally {
                sink.close().toCompletableFuture().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void closingASinkReleasesEverything() throws Exception {
        try (SinkFixture fixture = sinkFixture()) {
            assumeTrue(fixture != null, "the connector has no sink");
            Set<Thread> before = Thread.getAllStackTraces().keySet();
            SinkInstance sink = createSink(fixture);
            sink.send(record("close-1", "{\"id\":\"close-1\"}", 1)).toCompletableFuture().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            sink.close().toCompletableFuture().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            noThreadOutlives("the sink", before, fixture.ownThreads());
        }
    }

    // ---- helpers

    /** The problems of {@code settings} as the {@code block} of a system configured as {@code systemBlock}. */
    private List<ConfigProblem> validate(String block, Config settings, Config systemBlock) {
        Connector connector = connector();
        Config system = connector.systemSpec().withDefaults(systemBlock);
        if (block.equals("system")) {
            return connector.systemSpec().validate(settings, "test", Set.of("connector", "resilience"));
        }
        if (block.startsWith("source:")) {
            String kind = block.substring("source:".length());
            SourceFactory factory = connector.sources().get(kind);
            assertTrue(factory != null, "the connector has a source kind " + kind);
            List<ConfigProblem> problems = new ArrayList<>(factory.spec().validate(settings, "test", Set.of()));
            if (problems.isEmpty()) {
                problems.addAll(factory.validate(system, factory.spec().withDefaults(settings), "test"));
            }
            return problems;
        }
        SinkFactory factory = connector.sink().orElseThrow(() -> new AssertionError("the connector has no sink"));
        List<ConfigProblem> problems = new ArrayList<>(factory.spec().validate(settings, "test", Set.of()));
        if (problems.isEmpty()) {
            problems.addAll(factory.validate(system, factory.spec().withDefaults(settings), "test"));
        }
        return problems;
    }

    /** The system block a bad block is checked beside: that of the fixture of its kind (a source's, or a sink's). */
    private Config systemFor(String block) {
        try (SourceFixture source = block.startsWith("source:") ? sourceFixture() : null;
             SinkFixture sink = block.equals("target") ? sinkFixture() : null) {
            return source != null ? source.system() : sink != null ? sink.system() : ConfigFactory.empty();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private SourceInstance start(SourceFixture fixture, TestIngestor inbox) {
        Connector connector = connector();
        SourceFactory factory = connector.sources().get(fixture.kind());
        Config system = connector.systemSpec().withDefaults(fixture.system());
        SourceContext context = new SourceContext("contract", "service", system, factory.spec().withDefaults(fixture.settings()),
                configDirectory, inbox, new MemoryPositions(), SourceStatus.ignored(),
                dev.junction.connectors.api.SystemCalls.DIRECT, dev.junction.connectors.api.RunRecorder.NONE, actorSystem, blocking);
        SourceInstance source = factory.create(context);
        source.start();
        return source;
    }

    private SinkInstance createSink(SinkFixture fixture) {
        Connector connector = connector();
        SinkFactory factory = connector.sink().orElseThrow();
        SinkContext context = new SinkContext("contract", "service", connector.systemSpec().withDefaults(fixture.system()),
                factory.spec().withDefaults(fixture.settings()), configDirectory, actorSystem, blocking);
        return factory.create(context);
    }

    private static void stop(SourceInstance source) throws Exception {
        source.stop().toCompletableFuture().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    private void publishAsync(SourceFixture fixture, SourceInstance source, List<TestMessage> messages) {
        blocking.execute(() -> {
            try {
                fixture.publish(source, messages);
            } catch (Exception e) {
                throw new IllegalStateException("publishing failed", e);
            }
        });
    }

    private static SinkRecord record(String key, String json, int attempt) throws Exception {
        return new SinkRecord("msg-" + key, "contract", key, JSON.readTree(json), json.getBytes(StandardCharsets.UTF_8),
                Map.of("content-type", "application/json"), attempt);
    }

    private static List<TestMessage> messages(String prefix, int count) {
        String run = prefix + "-" + Long.toString(System.nanoTime(), 36);
        return IntStream.rangeClosed(1, count).mapToObj(n -> TestMessage.numbered(run, n)).toList();
    }

    private static Set<String> keys(List<TestMessage> messages) {
        return messages.stream().map(TestMessage::key).collect(java.util.stream.Collectors.toSet());
    }

    private void noThreadOutlives(String what, Set<Thread> before, List<String> fixtures) throws Exception {
        List<List<String>> last = new ArrayList<>(List.of(List.of()));
        try {
            eventually("no thread " + what + " started outlives it", () -> {
                last.set(0, leftThreads(before, fixtures));
                return last.get(0).isEmpty();
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; still running: " + last.get(0), e);
        }
    }

    /** Threads started since {@code before} that are still alive, other than the kit's own and the JVM's pools. */
    private List<String> leftThreads(Set<Thread> before, List<String> fixtures) {
        List<String> ignored = new ArrayList<>(List.of("testkit", "ForkJoinPool", "process reaper", "Attach Listener", "HttpClient",
                "CompletableFutureDelayScheduler"));
        ignored.addAll(fixtures);
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t) && t.isAlive())
                .map(Thread::getName)
                .filter(name -> ignored.stream().noneMatch(name::startsWith))
                .toList();
    }

    /** A condition that may throw. */
    @FunctionalInterface
    protected interface Condition {
        boolean holds() throws Exception;
    }

    /** Waits up to {@link #PATIENCE} for {@code condition}; fails with {@code what} otherwise. */
    protected static void eventually(String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            if (condition.holds()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("not within " + PATIENCE.toSeconds() + " s: " + what);
            }
            Thread.sleep(100);
        }
    }

    /** A file of the test's temporary directory with {@code content}; fixtures use it for files their services read. */
    protected Path write(String name, String content) throws Exception {
        Path file = configDirectory.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }
}
