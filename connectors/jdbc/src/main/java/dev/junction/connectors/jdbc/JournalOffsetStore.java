package dev.junction.connectors.jdbc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.connectors.api.PositionStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;

/**
 * Debezium's offsets kept in the source's {@link PositionStore} (the server's journal), never in a file. Debezium creates its
 * offset store by class name with no arguments, so the source registers its {@code PositionStore} under a name first
 * ({@link #register}) and passes the name in the engine's configuration ({@value #NAME_PROPERTY}); {@link #configure} finds it
 * there.
 *
 * <p>The engine writes offsets only for the events the source marked processed, which it does once the inbox holds them;
 * {@link #save} returns only when the journal confirmed the commit, and throws when it did not. Only then does the engine tell
 * the PostgreSQL connector to confirm the slot's flush position: the slot never moves past a change Junction does not hold.
 *
 * <p>The position is one JSON object: each offset key (Debezium's JSON text) to its value (JSON text).
 */
public final class JournalOffsetStore extends MemoryOffsetBackingStore {
    /** The engine property that names the registered {@link PositionStore}: a worker property Debezium passes through. */
    static final String NAME_PROPERTY = "offset.storage.file.filename";
    private static final Map<String, PositionStore> REGISTERED = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_SECONDS = 30;
    /** Debezium's {@code topic.prefix}: the {@code server} of the offset's key. */
    static final String TOPIC_PREFIX = "junction";

    private PositionStore positions;

    /** Makes {@code positions} the store of the engine configured with {@code name}; {@link #unregister} it when the engine is closed. */
    static void register(String name, PositionStore positions) {
        REGISTERED.put(name, positions);
    }

    static void unregister(String name) {
        REGISTERED.remove(name);
    }

    /**
     * The position of a source that has read nothing yet: the offset Debezium's PostgreSQL connector resumes from at
     * {@code lsn}, under the key Kafka Connect stores it by ({@code [connector name, {"server": topic prefix}]}).
     */
    static String initial(String connectorName, long lsn) {
        ObjectNode offsets = JSON.createObjectNode();
        String key = JSON.createArrayNode().add(connectorName).add(JSON.createObjectNode().put("server", TOPIC_PREFIX)).toString();
        offsets.put(key, JSON.createObjectNode().put("lsn", lsn).put("ts_usec", 0).toString());
        return offsets.toString();
    }

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        String name = config.getString(NAME_PROPERTY);
        positions = REGISTERED.get(name);
        if (positions == null) {
            throw new IllegalStateException("no position store registered as " + name);
        }
    }

    @Override
    public synchronized void start() {
        super.start();
        Optional<String> stored = await(positions.load());
        if (stored.isEmpty()) {
            return;
        }
        try {
            ObjectNode offsets = (ObjectNode) JSON.readTree(stored.get());
            for (Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it = offsets.fields(); it.hasNext(); ) {
                Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> e = it.next();
                data.put(buffer(e.getKey()), buffer(e.getValue().asText()));
            }
        } catch (IOException | ClassCastException e) {
            throw new IllegalStateException("the stored CDC position is not what this source wrote: " + stored.get(), e);
        }
    }

    /** Called by {@link MemoryOffsetBackingStore#set} on its own thread, after the new offsets are in {@code data}. */
    @Override
    protected void save() {
        ObjectNode offsets = JSON.createObjectNode();
        Map<ByteBuffer, ByteBuffer> copy = new HashMap<>(data);
        copy.forEach((k, v) -> {
            if (k != null && v != null) {
                offsets.put(text(k), text(v));
            }
        });
        await(positions.commit(offsets.toString()));
    }

    @Override
    public Set<Map<String, Object>> connectorPartitions(String connectorName) {
        return Set.of();
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the journal confirmed the CDC position", e);
        } catch (Exception e) {
            throw new IllegalStateException("the journal did not confirm the CDC position: " + e, e);
        }
    }

    private static ByteBuffer buffer(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
