package dev.junction.connectors.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A Mosquitto broker of a test's own: the {@code mosquitto} of this machine, on a free loopback port, with its persistence
 * and its log in a directory of the test's. Its own, because an MQTT test needs what the shared broker on 1883 cannot give:
 * a restart that drops every connection (the session and its queued messages survive it: persistence is on), and a log of
 * every packet, from which {@link #acknowledgedBy} counts the PUBACKs a client sent. That count is the broker's own word on
 * what was acknowledged, which MQTT offers nowhere else.
 */
public final class LocalMosquitto implements AutoCloseable {
    private final Path directory;
    private final int port;
    private Process process;

    private LocalMosquitto(Path directory, int port) {
        this.directory = directory;
        this.port = port;
    }

    /** Starts a broker keeping its files under {@code directory}. */
    public static LocalMosquitto start(Path directory) throws IOException, InterruptedException {
        Files.createDirectories(directory);
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        LocalMosquitto broker = new LocalMosquitto(directory.toAbsolutePath(), port);
        Files.writeString(broker.directory.resolve("mosquitto.conf"), String.join("\n",
                "listener " + port + " 127.0.0.1",
                "allow_anonymous true",
                "persistence true",
                "persistence_location " + broker.directory + "/",
                "log_dest file " + broker.directory.resolve("broker.log"),
                "log_type all",
                "max_queued_messages 0",
                "acl_file " + broker.directory.resolve("acl"),
                "user root", // ignored unless started as root, when it keeps the broker able to write its directory
                ""));
        broker.allowEverything();
        broker.launch();
        return broker;
    }

    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    private void launch() throws IOException, InterruptedException {
        String binary = Files.isExecutable(Path.of("/usr/sbin/mosquitto")) ? "/usr/sbin/mosquitto" : "mosquitto";
        process = new ProcessBuilder(binary, "-c", directory.resolve("mosquitto.conf").toString())
                .redirectErrorStream(true).redirectOutput(directory.resolve("mosquitto.out").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("mosquitto exited at start: " + Files.readString(directory.resolve("mosquitto.out")));
            }
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IOException("mosquitto did not listen on " + port + " within 20 s");
    }

    /**
     * Stops the broker (SIGTERM: it saves its sessions and queued messages) and starts it again on the same port: every client
     * loses its connection, no session loses a message.
     */
    public void restart() throws IOException, InterruptedException {
        stop();
        launch();
    }

    private void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** From now on publishing to {@code topic} is refused (not authorized); the broker reloads its ACL (SIGHUP). */
    public void denyPublishing(String topic) throws IOException, InterruptedException {
        Files.writeString(directory.resolve("acl"), "topic deny " + topic + "\ntopic readwrite #\ntopic read $SYS/#\n");
        reload();
    }

    /** Every client may publish and subscribe to every topic again. */
    public void allowEverything() throws IOException, InterruptedException {
        Files.writeString(directory.resolve("acl"), "topic readwrite #\ntopic read $SYS/#\n");
        reload();
    }

    private void reload() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            new ProcessBuilder("kill", "-HUP", String.valueOf(process.pid())).inheritIO().start().waitFor();
            Thread.sleep(300); // the broker reloads on its next loop
        }
    }

    /** Stops the broker: clients lose their connections and cannot connect until {@link #resume}. */
    public void pause() throws InterruptedException {
        stop();
    }

    /** Starts the broker again after {@link #pause}, on the same port, with its saved sessions. */
    public void resume() throws IOException, InterruptedException {
        launch();
    }

    /**
     * Waits until the client {@code clientId} has a subscription (the broker sent it a SUBACK): MQTT keeps nothing for a
     * subscriber it does not know yet, so a test publishes only after this.
     */
    public void awaitSubscription(String clientId, Duration patience) throws IOException, InterruptedException {
        String suback = "Sending SUBACK to " + clientId;
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            try (var lines = Files.lines(directory.resolve("broker.log"), StandardCharsets.UTF_8)) {
                if (lines.anyMatch(l -> l.endsWith(suback))) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(clientId + " did not subscribe within " + patience.toSeconds() + " s");
    }

    /** PUBACKs the broker received from clients whose id starts with {@code clientIdPrefix}, from its log. */
    public long acknowledgedBy(String clientIdPrefix) throws IOException {
        Pattern puback = Pattern.compile("Received PUBACK from " + Pattern.quote(clientIdPrefix) + "\\S* \\(Mid: \\d+, RC:0\\)");
        try (var lines = Files.lines(directory.resolve("broker.log"), StandardCharsets.UTF_8)) {
            return lines.filter(l -> puback.matcher(l).find()).count();
        }
    }

    /**
     * PUBLISH packets the broker sent for the first time (not flagged as a resend) to clients whose id starts with
     * {@code clientIdPrefix}, from its log: with {@link #acknowledgedBy}, what a client still holds unacknowledged.
     */
    public long sentTo(String clientIdPrefix) throws IOException {
        Pattern publish = Pattern.compile("Sending PUBLISH to " + Pattern.quote(clientIdPrefix) + "\\S* \\(d0, q[12],");
        try (var lines = Files.lines(directory.resolve("broker.log"), StandardCharsets.UTF_8)) {
            return lines.filter(l -> publish.matcher(l).find()).count();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
