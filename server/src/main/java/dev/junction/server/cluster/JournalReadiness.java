package dev.junction.server.cluster;

import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/**
 * Pekko Management readiness check: the journal's database accepts a connection and answers within two seconds. A node whose
 * journal is away would answer every webhook 503, so a load balancer should send the traffic elsewhere. Runs on the blocking
 * dispatcher; one short connection per check (probes come every few seconds), not one of the journal's pooled connections,
 * which are busy with writes.
 */
public final class JournalReadiness implements Supplier<CompletionStage<Boolean>> {
    private static final int TIMEOUT_SECONDS = 2;
    private final String url;
    private final String user;
    private final String password;
    private final Executor blocking;

    public JournalReadiness(ActorSystem system) {
        Config db = system.settings().config().getConfig("pekko-persistence-jdbc.shared-databases.slick.db");
        this.url = db.getString("url");
        this.user = db.getString("user");
        this.password = db.getString("password");
        this.blocking = system.dispatchers().lookup("junction-blocking-dispatcher");
    }

    @Override
    public CompletionStage<Boolean> get() {
        return CompletableFuture.supplyAsync(() -> {
            DriverManager.setLoginTimeout(TIMEOUT_SECONDS);
            try (Connection connection = DriverManager.getConnection(url, user, password)) {
                return connection.isValid(TIMEOUT_SECONDS);
            } catch (SQLException e) {
                return false;
            }
        }, blocking);
    }
}
