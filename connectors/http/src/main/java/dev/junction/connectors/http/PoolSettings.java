package dev.junction.connectors.http;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import scala.concurrent.duration.FiniteDuration;

/** Builds the Pekko HTTP pool settings of one REST target from the actor system's defaults. Stateless. */
final class PoolSettings {
    /**
     * Requests that may wait for a connection. Pekko requires a power of two; the server's in-flight limit per system keeps
     * the real queue far below it, so overflow means something is wrong and is reported as retriable {@code overloaded}.
     */
    static final int MAX_OPEN_REQUESTS = 1024;
    /**
     * Idle pooled connections are closed after this. Many servers (Node.js: 5s) close idle keep-alive connections silently;
     * closing ours first avoids sending a request on a connection the target is about to drop.
     */
    static final Duration KEEP_ALIVE = Duration.ofSeconds(4);

    private PoolSettings() {}

    static ConnectionPoolSettings of(HttpSinkSettings settings, ActorSystem<?> system) {
        ConnectionPoolSettings defaults = ConnectionPoolSettings.create(system.classicSystem());
        FiniteDuration timeout = finite(settings.timeout());
        // A stalled target (no bytes for `timeout`) has its connection closed, which fails the attempt and frees the slot.
        ClientConnectionSettings connection = defaults.getConnectionSettings()
                .withIdleTimeout(timeout)
                .withConnectingTimeout(timeout);
        // After failed connects Pekko backs a slot off for up to 2 minutes; a waiting attempt would then only ever time out.
        FiniteDuration backoff = timeout.lt(defaults.getBaseConnectionBackoff()) ? defaults.getBaseConnectionBackoff()
                : timeout.min(defaults.getMaxConnectionBackoff());
        return defaults
                .withMaxConnections(settings.maxConnections())
                .withMaxOpenRequests(MAX_OPEN_REQUESTS)
                // The server owns retries and counts every attempt; a pool that retried on its own would hide them.
                .withMaxRetries(0)
                .withMaxConnectionBackoff(backoff)
                .withKeepAliveTimeout(finite(KEEP_ALIVE))
                .withConnectionSettings(connection);
    }

    private static FiniteDuration finite(Duration duration) {
        return FiniteDuration.create(duration.toMillis(), TimeUnit.MILLISECONDS);
    }
}
