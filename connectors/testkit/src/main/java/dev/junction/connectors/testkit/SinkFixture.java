package dev.junction.connectors.testkit;

import com.typesafe.config.Config;
import java.util.List;

/**
 * What the kit needs to test a connector's sink against the real service: what the target received, with the idempotency
 * key as found in its native place, and ways to make it fail. Each test gets a fresh fixture and closes it.
 */
@SuppressWarnings("try") // close() may be interrupted: fixtures talk to real services
public interface SinkFixture extends AutoCloseable {

    /** The target block's settings, before defaults. */
    Config settings();

    /** The system's settings, before defaults ({@code connector = ...} left out). */
    Config system();

    /** One effect as the target saw it: the key read from its native place (a header, a property, a row), and the body. */
    record Received(String key, String body) {}

    /** Everything the target received so far, in order. */
    List<Received> received() throws Exception;

    /**
     * How the target can be made to fail, each with the class of failure the sink must report: a 503 is retriable, a 400
     * permanent, a 429 throttled; a broker that is gone retriable, a message it cannot route permanent.
     */
    List<FailureCase> failures();

    /** Name prefixes of the threads the fixture itself runs (a test server's), which the resource check leaves out. */
    default java.util.List<String> ownThreads() {
        return java.util.List.of();
    }

    @Override
    default void close() throws Exception {}
}
