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

/** The server started as its own JVM (from the fat jar, as users run it, or from the class path); killed with SIGKILL or stopped with SIGTERM by the test. */
public final class ServerProcess implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Process process;
    private final int httpPort;
    private final Path log;

    private ServerProcess(Process process, int httpPort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.log = log;
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
        return start(config, httpPort, env, log, List.of("-Xmx1g"));
    }

    /** As {@link #start(Path, int, Map, Path)}, with these JVM options instead of {@code -Xmx1g}. */
    public static ServerProcess start(Path config, int httpPort, Map<String, String> env, Path log, List<String> jvmOptions) throws Exception {
        List<String> args = new java.util.ArrayList<>(jvmOptions);
        args.addAll(List.of("-jar", jar().toString(), config.toString()));
        return launch(args, httpPort, env, log);
    }

    /**
     * Starts {@code Main} on the test JVM's own class path (the module's classes and dependencies, without the test classes and
     * their logback-test.xml), so a test needs no {@code mvn package} first and runs under Surefire. The node is the same
     * server as the jar's: same classes, same {@code reference.conf} files, same {@code Main}.
     */
    public static ServerProcess startOnClassPath(Path config, int httpPort, Map<String, String> env, Path log, List<String> jvmOptions)
            throws Exception {
        ServerProcess server = launchOnClassPath(config, httpPort, env, log, jvmOptions);
        server.awaitHealthy(Duration.ofSeconds(90), log.toFile());
        return server;
    }

    /** As {@link #startOnClassPath}, without waiting: several nodes can start at once; then {@link #awaitHealthy(Duration)}. */
    public static ServerProcess launchOnClassPath(Path config, int httpPort, Map<String, String> env, Path log, List<String> jvmOptions)
            throws Exception {
        return launchOnClassPath(config, httpPort, env, log, jvmOptions, List.of());
    }

    /**
     * As {@link #launchOnClassPath(Path, int, Map, Path, List)}, the JVM started through {@code launcher} (a command that execs
     * its arguments, e.g. {@code setpriv --regid=…}, so the process is still the JVM: a SIGKILL reaches it).
     */
    public static ServerProcess launchOnClassPath(Path config, int httpPort, Map<String, String> env, Path log, List<String> jvmOptions,
            List<String> launcher) throws Exception {
        String classPath = java.util.Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes") && !entry.endsWith("test-classes/"))
                .collect(java.util.stream.Collectors.joining(File.pathSeparator));
        List<String> args = new java.util.ArrayList<>(jvmOptions);
        args.addAll(List.of("-cp", classPath, "dev.junction.server.Main", config.toString()));
        return spawn(launcher, args, httpPort, env, log);
    }

    private static ServerProcess launch(List<String> args, int httpPort, Map<String, String> env, Path log) throws Exception {
        ServerProcess server = spawn(List.of(), args, httpPort, env, log);
        server.awaitHealthy(Duration.ofSeconds(90), log.toFile());
        return server;
    }

    private static ServerProcess spawn(List<String> launcher, List<String> args, int httpPort, Map<String, String> env, Path log)
            throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new java.util.ArrayList<>(launcher);
        command.add(java);
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        builder.environment().put("JUNCTION_HTTP_PORT", String.valueOf(httpPort));
        builder.environment().putIfAbsent("JUNCTION_NODE_PORT", "0");
        builder.environment().putIfAbsent("JUNCTION_MGMT_PORT", "0");
        return new ServerProcess(builder.start(), httpPort, log);
    }

    /** Waits until the node answers {@code /health}; fails at once if its JVM has exited. */
    public void awaitHealthy(Duration timeout) throws Exception {
        awaitHealthy(timeout, log.toFile());
    }

    private void awaitHealthy(Duration timeout, File log) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<Void> r = CLIENT.send(HttpRequest.newBuilder(URI.create(url("/health"))).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
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

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
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
