package dev.junction.connectors.api;

import com.typesafe.config.Config;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * What the server gives a sink when it creates it. Immutable; safe to keep for the life of the sink.
 *
 * @param integration      the integration this target belongs to
 * @param system           the name of the target system
 * @param systemConfig     the system's settings, validated against {@link Connector#systemSpec()}, defaults applied
 * @param settings         the target's connector block, validated against {@link SinkFactory#spec()}, defaults applied
 * @param configDirectory  the directory of the configuration file, against which relative paths resolve
 * @param actorSystem      the server's actor system, for HTTP clients, streams and scheduling
 * @param blockingExecutor a dispatcher for blocking I/O: never block on the actor system's default dispatcher. It runs
 *                         until the actor system terminates, after every source stopped and every sink closed
 */
public record SinkContext(
        String integration,
        String system,
        Config systemConfig,
        Config settings,
        java.nio.file.Path configDirectory,
        ActorSystem<?> actorSystem,
        Executor blockingExecutor) {}
