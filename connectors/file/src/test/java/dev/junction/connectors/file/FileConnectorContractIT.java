package dev.junction.connectors.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.junction.connectors.api.Connector;
import dev.junction.connectors.api.SourceInstance;
import dev.junction.connectors.testkit.BadConfig;
import dev.junction.connectors.testkit.ConnectorContract;
import dev.junction.connectors.testkit.FailureCase;
import dev.junction.connectors.testkit.SinkFixture;
import dev.junction.connectors.testkit.SourceFixture;
import dev.junction.connectors.testkit.TestMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/** The connector test kit on the file connector: the directory source and the JSON Lines sink on the local disk. */
class FileConnectorContractIT extends ConnectorContract {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected Connector connector() {
        return new FileConnector();
    }

    @Override
    protected List<BadConfig> badConfigs() {
        return List.of(
                BadConfig.source("directory", "path = in, idempotency-key = \"name\"", "idempotency-key", "must be file-name"),
                BadConfig.source("directory", "path = in, idempotency-key = \"json:id\"", "idempotency-key", "JSON pointer"),
                BadConfig.source("directory", "path = in, poll-interval = 0s", "poll-interval", "longer than zero"),
                BadConfig.source("directory", "idempotency-key = file-name", "path", "is required"),
                BadConfig.target("fsync = yes-please, path = out.jsonl", "fsync", "true or false"),
                BadConfig.target("path = \"../outside.jsonl\"", "path", "inside"));
    }

    @Override
    protected SourceFixture sourceFixture() throws Exception {
        return new Directory(Files.createDirectories(configDirectory.resolve("src-" + UUID.randomUUID())));
    }

    @Override
    protected SinkFixture sinkFixture() throws Exception {
        return new JsonlFile(Files.createDirectories(configDirectory.resolve("sink-" + UUID.randomUUID())));
    }

    /** Files dropped into a directory; a file counts as outstanding until the source moved it away. */
    private static final class Directory implements SourceFixture {
        private final Path root;
        private final Path in;

        Directory(Path root) throws Exception {
            this.root = root;
            this.in = Files.createDirectories(root.resolve("in"));
        }

        @Override
        public String kind() {
            return "directory";
        }

        @Override
        public Config settings() {
            return ConfigFactory.parseString("path = in, pattern = \"*.json\", poll-interval = 100ms, idempotency-key = \"json:/id\"");
        }

        @Override
        public Config system() {
            return ConfigFactory.parseString("root = \"" + root + "\"");
        }

        @Override
        public void publish(SourceInstance running, List<TestMessage> messages) throws Exception {
            for (TestMessage m : messages) {
                Path staged = Files.writeString(root.resolve(m.key() + ".tmp"), m.json());
                Files.move(staged, in.resolve(m.key() + ".json"), StandardCopyOption.ATOMIC_MOVE);
            }
        }

        @Override
        public long outstanding() throws Exception {
            try (Stream<Path> files = Files.list(in)) {
                return files.filter(p -> p.getFileName().toString().endsWith(".json")).count();
            }
        }

        @Override
        public boolean publishUnusable(SourceInstance running) throws Exception {
            Files.writeString(in.resolve("broken.json"), "{\"id\": ");
            return true;
        }

        @Override
        public boolean refusedAtTheSource() {
            return Files.exists(in.resolve(".failed").resolve("broken.json"));
        }
    }

    /** A JSON Lines file; the key's native place is each line's {@code idempotencyKey}. */
    private static final class JsonlFile implements SinkFixture {
        private final Path root;

        JsonlFile(Path root) {
            this.root = root;
        }

        @Override
        public Config settings() {
            return ConfigFactory.parseString("path = \"out/orders.jsonl\"");
        }

        @Override
        public Config system() {
            return ConfigFactory.parseString("root = \"" + root + "\"");
        }

        @Override
        public List<Received> received() throws Exception {
            Path file = root.resolve("out/orders.jsonl");
            List<Received> received = new ArrayList<>();
            if (Files.isRegularFile(file)) {
                for (String line : Files.readAllLines(file)) {
                    JsonNode json = JSON.readTree(line);
                    received.add(new Received(json.path("idempotencyKey").asText(), json.path("payload").toString()));
                }
            }
            return received;
        }

        @Override
        public List<FailureCase> failures() {
            Path file = root.resolve("out/orders.jsonl");
            return List.of(new FailureCase("the file is a directory", FailureCase.Expected.RETRIABLE,
                    () -> Files.createDirectories(file), () -> Files.delete(file)));
        }
    }
}
