package dev.junction.connectors.api;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * What the server gives a source when it creates it. Immutable; safe to keep for the life of the source.
 *
 * @param integration      the integration this source feeds
 * @param system           the name of the system the source reads from
 * @param systemConfig     the system's settings, validated against {@link Connector#systemSpec()}, defaults applied
 * @param settings         the source block's settings, validated against {@link SourceFactory#spec()}, defaults applied
 * @param configDirectory  the directory of the configuration file, against which relative paths resolve
 * @param ingestor         the entry point into the durable inbox
 * @param positions        the source's durable position, kept in the server's journal for this integration
 * @param status           where the source reports its connection's state for operators
 * @param calls            calls to the source's system through its gates (rate limit, breaker, bulkhead, Retry-After pause);
 *                         a source that calls the system itself (a poll) makes every call through here
 * @param runs             where a source that works in runs (a poll, a batch) records each of them for operators
 * @param actorSystem      the server's actor system, for streams and scheduling
 * @param blockingExecutor a dispatcher for blocking I/O: never block on the actor system's default dispatcher. It runs
 *                         until the actor system terminates, after every source stopped and every sink closed
 */
public record SourceContext(
        String integration,
        String system,
        Config systemConfig,
        Config settings,
        Path configDirectory,
        Ingestor ingestor,
        PositionStore positions,
        SourceStatus status,
        SystemCalls calls,
        RunRecorder runs,
        ActorSystem<?> actorSystem,
        Executor blockingExecutor) {}
