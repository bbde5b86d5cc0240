package dev.junction.server.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of the test's own, for tests that kill it: the shared one on 5432 serves other tests at the same time.
 * Its data directory is a fresh temporary directory owned by the {@code postgres} OS user, and it listens on a free loopback
 * port with trust auth. initdb and postgres refuse to run as root, so when the test runs as root (as CI does) every command
 * runs as {@code postgres} through {@code runuser}. The binaries are those of the newest installed PostgreSQL.
 */
public final class PrivatePostgres implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private final Path dir;
    private final Path data;
    private final Path bin;
    public final int port;
    private final List<String> settings;

    private PrivatePostgres(Path dir, Path bin, int port, List<String> settings) {
        this.dir = dir;
        this.data = dir.resolve("data");
        this.bin = bin;
        this.port = port;
        this.settings = settings;
    }

    /** Creates the cluster and starts it; {@code settings} are {@code name=value} server settings (postgres -c). */
    public static PrivatePostgres create(String... settings) throws Exception {
        Path dir = Files.createTempDirectory("junction-private-pg");
        PrivatePostgres pg = new PrivatePostgres(dir, binaries(), LocalCluster.freePort(), List.of(settings));
        if (asRoot()) {
            run(List.of("chown", "postgres:postgres", dir.toString()));
        }
        pg.runAsOwner(List.of(pg.bin.resolve("initdb").toString(), "-D", pg.data.toString(), "-A", "trust", "-U", "postgres",
                "--no-sync", "-E", "UTF8"));
        pg.start();
        return pg;
    }

    /** Starts the server on its data directory (after a crash, PostgreSQL replays its WAL first) and waits until it accepts. */
    public void start() throws Exception {
        List<String> options = new ArrayList<>(List.of("-c listen_addresses=127.0.0.1", "-p " + port, "-k " + dir));
        settings.forEach(s -> options.add("-c " + s));
        runAsOwner(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(),
                "-o", String.join(" ", options), "-w", "-t", Long.toString(START_TIMEOUT.toSeconds()), "start"));
    }

    /**
     * SIGKILL to the postmaster, as the OOM killer or a lost host would: no shutdown checkpoint, no flush. Waits until its
     * children (which notice their parent's death and exit) are gone, so that a new postmaster can take the data directory.
     */
    public void killPostmaster() throws Exception {
        long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no postmaster " + pid));
        List<ProcessHandle> children = postmaster.children().toList();
        postmaster.destroyForcibly();
        postmaster.onExit().get(30, TimeUnit.SECONDS);
        for (ProcessHandle child : children) {
            child.onExit().get(30, TimeUnit.SECONDS);
        }
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public void createDatabase(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
    }

    /** The server's log, for a failure message. */
    public Path log() {
        return dir.resolve("server.log");
    }

    /** Stops the server (immediately: the data is thrown away) and deletes its directory. */
    @Override
    public void close() throws Exception {
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                runAsOwner(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"));
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private void runAsOwner(List<String> command) throws Exception {
        List<String> full = new ArrayList<>();
        if (asRoot()) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        run(full);
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }

    private static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The bin directory of the newest PostgreSQL under /usr/lib/postgresql (Debian's layout). */
    private static Path binaries() throws IOException {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                    .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString().replaceAll("\\D", "0"))))
                    .orElseThrow(() -> new IllegalStateException("no PostgreSQL binaries under /usr/lib/postgresql"))
                    .resolve("bin");
        }
    }
}
