package dev.junction.server.system;

/** What a {@link SystemActor} answers a call: an attempt was made (and how it went), or none was. */
public sealed interface CallResult {

    /**
     * The sink was called.
     *
     * @param startedAt epoch milliseconds
     * @param millis    how long the attempt took
     * @param failure   null when the sink confirmed the effect; else a classified connector failure
     */
    record Attempted(long startedAt, long millis, Throwable failure) implements CallResult {}

    /** The call never reached the sink (it waited too long, or too many were waiting): it does not count as an attempt. */
    record NotAttempted(String reason) implements CallResult {}
}
