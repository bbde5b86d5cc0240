package dev.junction.server.testing;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The server's fat jar started as its own JVM, as users run it; killed with SIGKILL or stopped with SIGTERM by the test. */
public final class ServerProcess implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Process process;
    private final int httpPort;

    private ServerProcess(Process process, int httpPort) {
        this.process = process;
        this.httpPort = httpPort;
    }

    /** The jar built by {@code mvn package}; integration tests run after it. */
    public static Path jar() {
        Path jar = Path.of("target/junction-server.jar").toAbsolutePath();
        if (!jar.toFile().isFile()) {
            throw new IllegalStateException("run after mvn package: " + jar + " is missing");
        }
        return jar;
    }

    /** Starts the jar on {@code config} with {@code env}; output goes to {@code log}; returns once it answers HTTP. */
    public static ServerProcess start(Path config, int httpPort, Map<String, String> env, Path log) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx1g", "-jar", jar().toString(), config.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        builder.environment().put("JUNCTION_HTTP_PORT", String.valueOf(httpPort));
        builder.environment().putIfAbsent("JUNCTION_NODE_PORT", "0");
        builder.environment().putIfAbsent("JUNCTION_MGMT_PORT", "0");
        ServerProcess server = new ServerProcess(builder.start(), httpPort);
        server.awaitHealthy(Duration.ofSeconds(90), log.toFile());
        return server;
    }

    private void awaitHealthy(Duration timeout, File log) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<Void> r = CLIENT.send(HttpRequest.newBuilder(URI.create(url("/health"))).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("server did not answer within " + timeout + "; see " + log);
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public String url(String path) {
        return "http://127.0.0.1:" + httpPort + path;
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM: a graceful stop through CoordinatedShutdown. Returns the exit code. */
    public int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
