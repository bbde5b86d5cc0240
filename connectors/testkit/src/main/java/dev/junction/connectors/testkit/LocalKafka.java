package dev.junction.connectors.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Kafka broker of a test's own: a single-node KRaft broker (broker and controller in one process) run from Apache Kafka's
 * Maven jars in a child JVM, on free loopback ports, with its data in a directory of the test's. Nothing is installed: the
 * jars are those the {@code connectors/kafka-broker} module copies to its {@code target/lib}, found through the system
 * property {@value #LIB_PROPERTY}. The test owns the process, so it can stop the broker gracefully, kill it, and start it
 * again on the same ports with the same data.
 *
 * <p>Topics are not created on first use ({@code auto.create.topics.enable=false}): a test creates its own, and a producer to
 * a topic that does not exist fails, as on a production cluster that forbids it.
 */
public final class LocalKafka implements AutoCloseable {
    /** The system property naming the directory of the broker's jars. */
    public static final String LIB_PROPERTY = "test.kafka.broker.lib";
    private static final Duration STARTUP = Duration.ofSeconds(60);

    private final Path directory;
    private final Path lib;
    private final int port;
    private final int controllerPort;
    private Process process;

    private LocalKafka(Path directory, Path lib, int port, int controllerPort) {
        this.directory = directory;
        this.lib = lib;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /** Formats a new broker's storage under {@code directory} and starts it; returns once it accepts connections. */
    public static LocalKafka start(Path directory) throws IOException, InterruptedException {
        Path lib = Path.of(System.getProperty(LIB_PROPERTY, "../kafka-broker/target/lib")).toAbsolutePath().normalize();
        if (!Files.isDirectory(lib) || !Files.exists(lib.resolve("kafka-tools-4.1.1.jar"))) {
            throw new IllegalStateException("Kafka's broker jars are not at " + lib + " (system property " + LIB_PROPERTY
                    + "): build connectors/kafka-broker first (mvn -pl connectors/kafka-broker generate-resources)");
        }
        Files.createDirectories(directory);
        LocalKafka broker = new LocalKafka(directory.toAbsolutePath(), lib, freePort(), freePort());
        broker.configure();
        broker.format();
        broker.launch();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> { // a test JVM that dies leaves no broker behind
            Process p = broker.process;
            if (p != null) {
                p.destroyForcibly();
            }
        }, "local-kafka-stop"));
        return broker;
    }

    /** {@code 127.0.0.1:port}, for {@code bootstrap.servers}. */
    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    private void configure() throws IOException {
        Files.writeString(directory.resolve("server.properties"), String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + directory.resolve("data"),
                "num.partitions=1",
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=5",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "log.flush.interval.messages=1", // a SIGKILL of the broker loses nothing acknowledged (tests kill it)
                ""));
    }

    private void format() throws IOException, InterruptedException {
        byte[] id = new byte[16];
        new SecureRandom().nextBytes(id);
        String clusterId = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        Process formatting = java("kafka.tools.StorageTool", "format", "-t", clusterId, "-c",
                directory.resolve("server.properties").toString()).redirectOutput(directory.resolve("format.out").toFile()).start();
        if (!formatting.waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS) || formatting.exitValue() != 0) {
            formatting.destroyForcibly();
            throw new IOException("formatting the broker's storage failed: " + Files.readString(directory.resolve("format.out")));
        }
    }

    private ProcessBuilder java(String main, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", lib + "/*", main));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true);
    }

    private void launch() throws IOException, InterruptedException {
        process = java("kafka.Kafka", directory.resolve("server.properties").toString())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("broker.out").toFile())).start();
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the Kafka broker exited at start: " + Files.readString(directory.resolve("broker.out")));
            }
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IOException("the Kafka broker did not listen on " + port + " within " + STARTUP.toSeconds() + " s; see "
                + directory.resolve("broker.out"));
    }

    /** Stops the broker (SIGTERM: a controlled shutdown) and starts it again on the same ports with the same data. */
    public void restart() throws IOException, InterruptedException {
        stop();
        launch();
    }

    /** Kills the broker (SIGKILL) and starts it again on the same ports with the same data. */
    public void killAndRestart() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor();
        }
        launch();
    }

    /** Stops the broker: clients lose their connections and cannot connect until {@link #resume}. */
    public void pause() throws InterruptedException {
        stop();
    }

    /** Starts the broker again after {@link #pause}, on the same ports, with its data. */
    public void resume() throws IOException, InterruptedException {
        launch();
    }

    private void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(); // its data is the test's, thrown away with it: no need to shut down cleanly
        }
    }
}
