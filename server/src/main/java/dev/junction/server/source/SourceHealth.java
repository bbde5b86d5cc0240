package dev.junction.server.source;

import dev.junction.connectors.api.SourceStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the sources running on this node are doing, as they report it through {@link SourceStatus}: what the admin API shows
 * under each source's system. Thread-safe: sources report from their own threads.
 */
public final class SourceHealth {
    private static final Logger log = LoggerFactory.getLogger(SourceHealth.class);

    /** What a source's connection is doing. */
    public enum State { STARTING, CONNECTED, DISCONNECTED, STOPPED }

    /**
     * One source on this node.
     *
     * @param retryAt    when it tries to connect again, while disconnected; null otherwise
     * @param reconnects times it lost its connection since it started
     */
    public record Report(String integration, String system, String kind, State state, String detail, String since,
                         String retryAt, int reconnects) {}

    private final Map<String, Report> byIntegration = new ConcurrentHashMap<>();

    /** The reporter handed to the source of {@code integration}; it starts as {@link State#STARTING}. */
    SourceStatus reporter(String integration, String system, String kind) {
        byIntegration.put(integration, new Report(integration, system, kind, State.STARTING, "", now(), null, 0));
        return new SourceStatus() {
            @Override
            public void connected(String detail) {
                Report before = byIntegration.get(integration);
                if (before != null && before.state() != State.CONNECTED) {
                    log.info("source of {} connected: {}", integration, detail);
                }
                update(integration, r -> new Report(integration, system, kind, State.CONNECTED, detail, now(), null, r.reconnects()));
            }

            @Override
            public void disconnected(String reason, Duration retryIn) {
                Report before = byIntegration.get(integration);
                if (before != null && before.state() != State.DISCONNECTED) {
                    log.warn("source of {} lost its connection: {}{}", integration, reason,
                            retryIn == null ? "" : "; reconnecting in " + retryIn.toMillis() + " ms");
                }
                update(integration, r -> new Report(integration, system, kind, State.DISCONNECTED, reason,
                        r.state() == State.DISCONNECTED ? r.since() : now(),
                        retryIn == null ? null : Instant.now().plus(retryIn).toString(),
                        r.reconnects() + (r.state() == State.CONNECTED ? 1 : 0)));
            }
        };
    }

    /** The source of {@code integration} stopped on this node (shut down, moved, removed). */
    void stopped(String integration) {
        update(integration, r -> new Report(r.integration(), r.system(), r.kind(), State.STOPPED, "", now(), null, r.reconnects()));
    }

    /** The sources of {@code system} that run or ran on this node, by integration. */
    public List<Report> of(String system) {
        return byIntegration.values().stream().filter(r -> r.system().equals(system))
                .sorted(Comparator.comparing(Report::integration)).toList();
    }

    private void update(String integration, java.util.function.UnaryOperator<Report> change) {
        byIntegration.computeIfPresent(integration, (name, report) -> change.apply(report));
    }

    private static String now() {
        return Instant.now().toString();
    }
}
