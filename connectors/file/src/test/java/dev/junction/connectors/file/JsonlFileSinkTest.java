package dev.junction.connectors.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.POJONode;
import dev.junction.connectors.api.PermanentException;
import dev.junction.connectors.api.RetriableException;
import dev.junction.connectors.api.SinkInstance;
import dev.junction.connectors.api.SinkRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlFileSinkTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path configDir;
    private ExecutorService blocking;
    private Path file;

    @BeforeEach
    void setUp() {
        blocking = Executors.newFixedThreadPool(4);
        file = configDir.resolve("data/out/orders.jsonl");
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        blocking.shutdown();
        assertTrue(blocking.awaitTermination(5, TimeUnit.SECONDS));
    }

    private SinkInstance newSink() {
        return new FileSinkFactory().create(TestSupport.sinkContext(configDir, "data", "path = out/orders.jsonl", blocking));
    }

    private static SinkRecord record(String messageId, String key, String payloadJson) throws Exception {
        return new SinkRecord(messageId, "orders", key, MAPPER.readTree(payloadJson), payloadJson.getBytes(StandardCharsets.UTF_8), Map.of(), 1);
    }

    private static void await(SinkInstance sink, SinkRecord record) throws Exception {
        sink.send(record).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private List<String> lines() throws Exception {
        return Files.readAllLines(file);
    }

    private List<String> keysInFile() throws Exception {
        List<String> keys = new ArrayList<>();
        for (String line : lines()) {
            JsonlLine.keyOf(line).ifPresent(keys::add);
        }
        return keys;
    }

    @Test
    void writesOneJsonLinePerRecordUnderTheSystemRoot() throws Exception {
        SinkInstance sink = newSink();
        await(sink, record("m1", "k1", "{\"id\":1,\"note\":\"two\\nlines\"}"));
        await(sink, record("m2", "k2", "[1,2]"));
        sink.close().toCompletableFuture().get(5, TimeUnit.SECONDS);

        List<String> lines = lines();
        assertEquals(2, lines.size());
        JsonNode first = MAPPER.readTree(lines.get(0));
        assertEquals("m1", first.get("messageId").asText());
        assertEquals("k1", first.get("idempotencyKey").asText());
        assertEquals("orders", first.get("integration").asText());
        Instant.parse(first.get("writtenAt").asText());
        assertEquals(MAPPER.readTree("{\"id\":1,\"note\":\"two\\nlines\"}"), first.get("payload"));
        assertEquals(MAPPER.readTree("[1,2]"), MAPPER.readTree(lines.get(1)).get("payload"));
    }

    @Test
    void aKeyAlreadyInTheFileIsConfirmedWithoutWritingAgainAcrossAReopen() throws Exception {
        SinkInstance first = newSink();
        await(first, record("m1", "k1", "{\"n\":1}"));
        await(first, record("m2", "k2", "{\"n\":2}"));
        first.close().toCompletableFuture().get(5, TimeUnit.SECONDS);

        SinkInstance second = newSink();
        await(second, record("m2", "k2", "{\"n\":2}")); // a retry after a crash: same key
        await(second, record("m3", "k3", "{\"n\":3}"));
        await(second, record("m3", "k3", "{\"n\":3}")); // and a retry within the same life
        second.close().toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertEquals(List.of("k1", "k2", "k3"), keysInFile());
    }

    @Test
    void aTornLastLineIsIgnoredAndTheNextWriteStartsOnAFreshLine() throws Exception {
        Files.createDirectories(file.getParent());
        String good = "{\"messageId\":\"m1\",\"idempotencyKey\":\"k1\",\"integration\":\"orders\",\"writtenAt\":\"2025-01-01T00:00:00Z\",\"payload\":{}}";
        Files.writeString(file, good + "\n{\"messageId\":\"m2\",\"idempotencyKey\":\"k2\",\"integ");

        SinkInstance sink = newSink();
        await(sink, record("m1", "k1", "{}")); // already there: not written again
        await(sink, record("m2", "k2", "{}")); // torn, so never confirmed: written now
        sink.close().toCompletableFuture().get(5, TimeUnit.SECONDS);

        List<String> lines = lines();
        assertEquals(3, lines.size(), lines::toString);
        assertEquals(List.of("k1", "k2"), keysInFile());
        assertTrue(lines.get(2).startsWith("{\"messageId\":\"m2\""));
    }

    @Test
    void aCompleteLastLineWithoutItsNewlineCountsAndIsNotWrittenTwice() throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"messageId\":\"m1\",\"idempotencyKey\":\"k1\",\"payload\":{}}");

        SinkInstance sink = newSink();
        await(sink, record("m1", "k1", "{}"));
        await(sink, record("m2", "k2", "{}"));
        sink.close().toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertEquals(List.of("k1", "k2"), keysInFile());
        assertEquals(2, lines().size());
    }

    @Test
    void manyConcurrentSendsAllCompleteAndEveryLineIsThere() throws Exception {
        SinkInstance sink = newSink();
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<Void>> sent = IntStream.range(0, 2000)
                    .mapToObj(i -> CompletableFuture.supplyAsync(() -> {
                        try {
                            // every tenth key twice: concurrent attempts of the same record must still write it once
                            return sink.send(record("m" + i, "k" + (i % 10 == 0 ? i + 1 : i), "{\"i\":" + i + "}"));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }, callers).thenCompose(stage -> stage))
                    .toList();
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } finally {
            callers.shutdown();
        }
        sink.close().toCompletableFuture().get(5, TimeUnit.SECONDS);

        List<String> keys = keysInFile();
        Set<String> expected = IntStream.range(0, 2000).mapToObj(i -> "k" + (i % 10 == 0 ? i + 1 : i)).collect(Collectors.toSet());
        assertEquals(expected.size(), keys.size(), "one line per distinct key");
        assertEquals(expected, Set.copyOf(keys));
    }

    @Test
    void aWriteFailureIsRetriable() throws Exception {
        Files.createDirectories(configDir.resolve("data"));
        Files.writeString(configDir.resolve("data/out"), "a file where the sink needs a directory");

        ExecutionException failed = assertThrows(ExecutionException.class, () -> await(newSink(), record("m1", "k1", "{}")));
        RetriableException cause = assertInstanceOf(RetriableException.class, failed.getCause());
        assertEquals("io", cause.errorClass());
    }

    @Test
    void aPayloadThatCannotBeSerializedIsPermanent() {
        SinkRecord bad = new SinkRecord("m1", "orders", "k1", new POJONode(new Object()), new byte[0], Map.of(), 1);
        ExecutionException failed = assertThrows(ExecutionException.class, () -> await(newSink(), bad));
        assertEquals("serialization", assertInstanceOf(PermanentException.class, failed.getCause()).errorClass());
    }

    @Test
    void sendAfterCloseIsRetriable() throws Exception {
        SinkInstance sink = newSink();
        await(sink, record("m1", "k1", "{}"));
        sink.close().toCompletableFuture().get(5, TimeUnit.SECONDS);
        ExecutionException failed = assertThrows(ExecutionException.class, () -> await(sink, record("m2", "k2", "{}")));
        assertInstanceOf(RetriableException.class, failed.getCause());
        assertEquals(List.of("k1"), keysInFile());
    }
}
