package dev.junction.server.runs;

/**
 * One run as stored and as the runs API shows it. Times are ISO-8601 instants; {@code finished} is null while it runs.
 *
 * @param status {@code running}, {@code succeeded}, {@code failed} or {@code partial}
 */
public record RunRecord(String id, String integration, String source, String status, String started, String finished,
                        String windowFrom, String windowTo, String watermarkBefore, String watermarkAfter, long pages, long read,
                        long accepted, long duplicate, long invalid, long failed, String error) {}
