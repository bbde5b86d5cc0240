package dev.junction.connectors.testkit;

/**
 * One way to make a target fail and what the sink must make of it.
 *
 * @param name     what happens, for the test report ({@code 503 Service Unavailable})
 * @param expected the classification the sink must report
 * @param induce   makes the target fail this way for the next attempts
 * @param restore  makes it answer normally again
 */
public record FailureCase(String name, Expected expected, Action induce, Action restore) {

    /** The classification a failure must get. */
    public enum Expected { RETRIABLE, THROTTLED, PERMANENT }

    /** A step that may throw. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }
}
