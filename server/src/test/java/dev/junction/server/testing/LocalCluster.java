package dev.junction.server.testing;

import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/** Helpers for tests that run several nodes in one JVM on one PostgreSQL journal, as a cluster on 127.0.0.1. */
public final class LocalCluster {
    private LocalCluster() {}

    /** The environment of a node: the journal, the first node as seed, and its own remoting port. */
    public static Map<String, String> nodeEnv(PostgresDatabase db, int seedPort, int ownPort) {
        Map<String, String> env = new HashMap<>();
        env.put("JUNCTION_DB_URL", db.url());
        env.put("JUNCTION_DB_USER", PostgresDatabase.USER);
        env.put("JUNCTION_SEED_NODES", "127.0.0.1:" + seedPort);
        env.put("JUNCTION_NODE_PORT", Integer.toString(ownPort));
        return env;
    }

    /**
     * The environment of a first node that forms the cluster on its own: the journal only, so it binds whatever remoting port
     * the OS gives it ({@code node.port = 0}) and nothing can take that port between choosing and binding it.
     */
    public static Map<String, String> firstNodeEnv(PostgresDatabase db) {
        Map<String, String> env = new HashMap<>();
        env.put("JUNCTION_DB_URL", db.url());
        env.put("JUNCTION_DB_USER", PostgresDatabase.USER);
        return env;
    }

    /** The environment of a node that joins {@code seed} (started already) and binds a port of the OS's choosing itself. */
    public static Map<String, String> joiningEnv(PostgresDatabase db, RunningServer seed) {
        Map<String, String> env = firstNodeEnv(db);
        env.put("JUNCTION_SEED_NODES", "127.0.0.1:" + remotingPort(seed));
        return env;
    }

    /** The remoting port a node actually bound. */
    public static int remotingPort(RunningServer server) {
        return Cluster.get(server.junction().system()).selfMember().address().getPort().get();
    }

    /** Members this node sees Up. */
    public static int up(RunningServer server) {
        int n = 0;
        for (var member : Cluster.get(server.junction().system()).state().getMembers()) {
            if (member.status() == MemberStatus.up()) {
                n++;
            }
        }
        return n;
    }

    /**
     * Two free remoting ports, lower first. A test that kills the node the split brain resolver does not keep starts it on the
     * higher one: keep-majority keeps the side with the lowest address when two halves are equal.
     */
    public static int[] lowAndHighPorts() throws java.io.IOException {
        int a = freePort();
        int b = freePort();
        return new int[] {Math.min(a, b), Math.max(a, b)};
    }

    public static int freePort() throws java.io.IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
