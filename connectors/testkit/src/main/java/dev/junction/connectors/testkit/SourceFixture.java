package dev.junction.connectors.testkit;

import com.typesafe.config.Config;
import dev.junction.connectors.api.SourceInstance;
import java.util.List;

/**
 * What the kit needs to test a connector's source against the real service: how to publish to it, and what the service still
 * holds for the source. Each test gets a fresh fixture ({@link ConnectorContract#sourceFixture()}) and closes it: a queue,
 * vhost or directory of its own.
 */
@SuppressWarnings("try") // close() may be interrupted: fixtures talk to real services
public interface SourceFixture extends AutoCloseable {

    /** The source kind, the block name under {@code source { ... }}. */
    String kind();

    /** The source block's settings, before defaults; its key rule must find {@link TestMessage#key()}. */
    Config settings();

    /** The system's settings, before defaults ({@code connector = ...} left out). */
    Config system();

    /**
     * Hands {@code messages} to the real service (a queue, a directory), or, for a push source, to {@code running} as a sender
     * would, sending again what it refused. Returns once they are published (not once they are consumed).
     */
    void publish(SourceInstance running, List<TestMessage> messages) throws Exception;

    /**
     * Messages the service still holds for the source, acknowledged by nobody: queued or delivered but unacknowledged, files
     * not yet moved away, requests not yet answered with a success.
     */
    long outstanding() throws Exception;

    /** Drops the source's connection from the service's side (the broker closes it); false when the source has none. */
    default boolean dropConnection(SourceInstance running) throws Exception {
        return false;
    }

    /**
     * Drops the source's connection and, until {@link #answerAgain()}, lets new connections open but never answers them, so the
     * source's connection attempts time out instead of failing; false when the source has no connection of its own.
     */
    default boolean hangConnection(SourceInstance running) throws Exception {
        return false;
    }

    /** Ends {@link #hangConnection}: connections are answered again. */
    default void answerAgain() throws Exception {}

    /**
     * Publishes one message the source cannot use (no key, a body that is not JSON). Returns false when the source has no
     * way to receive one.
     */
    default boolean publishUnusable(SourceInstance running) throws Exception {
        return false;
    }

    /**
     * True when the service itself shows the unusable message as refused (an HTTP 400 answered, a broker's dead-letter
     * queue holding it, a file moved to a failed folder): the other visible end besides {@code Ingestor.reject}.
     */
    default boolean refusedAtTheSource() throws Exception {
        return false;
    }

    /** Name prefixes of the threads the fixture itself runs (a test server's), which the resource check leaves out. */
    default java.util.List<String> ownThreads() {
        return java.util.List.of();
    }

    @Override
    default void close() throws Exception {}
}
