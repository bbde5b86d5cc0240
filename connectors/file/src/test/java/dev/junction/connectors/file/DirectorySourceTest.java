package dev.junction.connectors.file;

import static dev.junction.connectors.file.TestSupport.eventually;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.junction.connectors.api.InboundMessage;
import dev.junction.connectors.api.SourceInstance;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectorySourceTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static ActorSystem<Void> system;

    @TempDir
    Path configDir;
    private Path inbox;
    private ExecutorService blocking;
    private RecordingIngestor ingestor;
    private SourceInstance source;
    /** Tasks the source handed to its blocking executor: one listing per poll, so a count of polls that really ran. */
    private final AtomicInteger blockingTasks = new AtomicInteger();

    @BeforeAll
    static void startSystem() {
        system = ActorSystem.create(Behaviors.empty(), "directory-source-test", ConfigFactory.parseString("pekko.loglevel = WARNING"));
    }

    @AfterAll
    static void stopSystem() {
        system.terminate();
    }

    @BeforeEach
    void setUp() throws Exception {
        inbox = Files.createDirectories(configDir.resolve("drop/inbox"));
        blocking = Executors.newFixedThreadPool(4);
        ingestor = new RecordingIngestor();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (source != null) {
            source.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        blocking.shutdown();
    }

    private void start(String extraSettings) {
        String settings = "path = inbox, poll-interval = 50ms\n" + extraSettings;
        source = start(settings, ingestor, blockingTasks);
    }

    private SourceInstance start(String settings, RecordingIngestor ingestor, AtomicInteger tasks) {
        Executor counting = task -> {
            tasks.incrementAndGet();
            blocking.execute(task);
        };
        SourceInstance started = new DirectorySourceFactory().create(
                TestSupport.sourceContext(configDir, "drop", settings, ingestor, system, counting));
        started.start();
        return started;
    }

    private Path drop(String name, String content) throws Exception {
        return Files.writeString(inbox.resolve(name), content);
    }

    private Path done(String name) {
        return inbox.resolve(".done").resolve(name);
    }

    private Path failed(String name) {
        return inbox.resolve(".failed").resolve(name);
    }

    @Test
    void aJsonFileIsOneMessageKeyedByItsNameAndMovesToDone() throws Exception {
        start("");
        String body = "{\n  \"order\": 42\n}\n";
        drop("order-42.json", body);

        eventually(WAIT, () -> assertTrue(Files.exists(done("order-42.json"))));
        InboundMessage message = ingestor.accepted().get(0);
        assertEquals("order-42.json", message.idempotencyKey());
        assertEquals("application/json", message.contentType());
        assertEquals(Map.of("file-name", "order-42.json"), message.headers());
        assertArrayEquals(body.getBytes(StandardCharsets.UTF_8), message.raw());
        assertEquals(new ObjectMapper().readTree("{\"order\":42}"), message.json());
        assertFalse(Files.exists(inbox.resolve("order-42.json")));
    }

    @Test
    void aJsonLinesFileIsOneMessagePerLineKeyedByNameAndLine() throws Exception {
        start("pattern = \"*.jsonl\"");
        drop("batch.jsonl", "{\"n\":1}\r\n{\"n\":2}\n\n{\"n\":4}");

        eventually(WAIT, () -> assertTrue(Files.exists(done("batch.jsonl"))));
        assertEquals(List.of("batch.jsonl#1", "batch.jsonl#2", "batch.jsonl#4"), ingestor.acceptedKeys());
        assertEquals("{\"n\":2}", new String(ingestor.accepted().get(1).raw(), StandardCharsets.UTF_8));
    }

    @Test
    void aJsonPointerKeyTakesTheKeyFromEachMessage() throws Exception {
        start("pattern = \"*.jsonl\", idempotency-key = \"json:/order/id\"");
        drop("batch.jsonl", "{\"order\":{\"id\":\"A-1\"}}\n{\"order\":{\"id\":7}}\n");

        eventually(WAIT, () -> assertTrue(Files.exists(done("batch.jsonl"))));
        assertEquals(List.of("A-1", "7"), ingestor.acceptedKeys());
    }

    @Test
    void aFileStaysWhileTheInboxIsUnavailableAndIsTakenOnALaterPoll() throws Exception {
        ingestor.setUnavailable(true);
        start("");
        Path file = drop("a.json", "{\"a\":1}");

        eventually(WAIT, () -> assertTrue(ingestor.attempts().size() >= 2, "offered on more than one poll"));
        assertTrue(Files.exists(file));
        assertFalse(Files.exists(done("a.json")));

        ingestor.setUnavailable(false);
        eventually(WAIT, () -> assertTrue(Files.exists(done("a.json"))));
        assertEquals(List.of("a.json"), ingestor.acceptedKeys());
    }

    @Test
    void aFileMovesOnlyWhenEveryLineIsDurableAndAcceptedLinesComeBackAsDuplicates() throws Exception {
        ingestor.setUnavailableKeys("b.jsonl#2");
        start("pattern = \"*.jsonl\"");
        Path file = drop("b.jsonl", "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");

        eventually(WAIT, () -> assertTrue(ingestor.attempts().stream().filter("b.jsonl#2"::equals).count() >= 2));
        assertTrue(Files.exists(file), "line 2 is not durable yet");
        assertEquals(List.of("b.jsonl#1", "b.jsonl#3"), ingestor.acceptedKeys());

        ingestor.clearUnavailableKeys();
        eventually(WAIT, () -> assertTrue(Files.exists(done("b.jsonl"))));
        assertEquals(List.of("b.jsonl#1", "b.jsonl#3", "b.jsonl#2"), ingestor.acceptedKeys(), "each accepted once");
    }

    @Test
    void badJsonGoesToFailedWithAnErrorFileSayingWhere() throws Exception {
        start("pattern = \"*.{json,jsonl}\"");
        drop("broken.json", "{\n  \"a\": 1,,\n}");
        drop("mixed.jsonl", "{\"ok\":1}\n{\"ok\":\n{\"ok\":3} trailing\n");

        eventually(WAIT, () -> {
            assertTrue(Files.exists(failed("broken.json")));
            assertTrue(Files.exists(failed("mixed.jsonl")));
        });
        String brokenWhy = Files.readString(failed("broken.json.error.txt"));
        assertTrue(brokenWhy.startsWith("line 2, column "), brokenWhy);
        List<String> mixedWhy = Files.readAllLines(failed("mixed.jsonl.error.txt"));
        assertEquals(2, mixedWhy.size(), mixedWhy::toString);
        assertTrue(mixedWhy.get(0).startsWith("line 2, column "), mixedWhy::toString);
        assertTrue(mixedWhy.get(1).startsWith("line 3, column "), mixedWhy::toString);
        assertEquals(List.of(), ingestor.attempts(), "a malformed file is not ingested in part");
    }

    @Test
    void aMissingKeyOrAConflictingBodyFailsTheFileWithItsReason() throws Exception {
        start("idempotency-key = \"json:/id\"");
        drop("no-key.json", "{\"name\":\"x\"}");
        drop("first.json", "{\"id\":\"A\",\"v\":1}");
        eventually(WAIT, () -> assertTrue(Files.exists(done("first.json"))));
        drop("second.json", "{\"id\":\"A\",\"v\":2}");

        eventually(WAIT, () -> assertTrue(Files.exists(failed("second.json"))));
        String conflict = Files.readString(failed("second.json.error.txt"));
        assertTrue(conflict.contains("idempotency key A was accepted before with a different body"), conflict);
        String noKey = Files.readString(failed("no-key.json.error.txt"));
        assertTrue(noKey.contains("no idempotency key: the body has no value at JSON pointer /id"), noKey);
    }

    @Test
    void aDirectoryThatAppearsLaterIsPolledOnceItExists() throws Exception {
        Files.delete(inbox);
        start("");
        eventually(WAIT, () -> assertTrue(blockingTasks.get() >= 3, "polls so far: " + blockingTasks.get())); // polls that cannot list
        Files.createDirectories(inbox);
        drop("late.json", "{}");

        eventually(WAIT, () -> assertTrue(Files.exists(done("late.json"))));
        assertEquals(List.of("late.json"), ingestor.acceptedKeys());
    }

    @Test
    void stopCompletesAndNoFileIsTakenAfterwards() throws Exception {
        start("");
        drop("before.json", "{}");
        eventually(WAIT, () -> assertTrue(Files.exists(done("before.json"))));

        source.stop().toCompletableFuture().get(5, TimeUnit.SECONDS);
        int tasksAtStop = blockingTasks.get();
        Path after = drop("after.json", "{}");
        // A second source on the same actor system, polling another directory at the same interval: once it has polled five
        // times, the stopped one would have polled too, had it gone on.
        Files.createDirectories(configDir.resolve("drop/witness"));
        AtomicInteger witnessPolls = new AtomicInteger();
        SourceInstance witness = start("path = witness, poll-interval = 50ms", new RecordingIngestor(), witnessPolls);
        try {
            eventually(WAIT, () -> assertTrue(witnessPolls.get() >= 5, "witness polls: " + witnessPolls.get()));
        } finally {
            witness.stop().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
        assertEquals(tasksAtStop, blockingTasks.get(), "the stopped source polled again");
        assertTrue(Files.exists(after));
        assertEquals(List.of("before.json"), ingestor.acceptedKeys());
    }
}
