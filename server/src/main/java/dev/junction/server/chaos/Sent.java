package dev.junction.server.chaos;

/**
 * One request the driver sent to a webhook and what came back.
 *
 * @param kind        {@code valid}, {@code bad} (bad-input) or {@code again} (a redelivery of an earlier key)
 * @param sentAt      epoch ms when it was sent
 * @param ingestMillis how long the webhook took to answer; -1 when it did not
 * @param status      the HTTP status, or 0 when the request failed (the error is in {@code problem})
 * @param messageId   the message id the webhook answered with (202 accepted or 200 duplicate), else null
 * @param problem     for a 4xx/5xx the problem's {@code type} (or the status), for a failed request the error; else null
 */
record Sent(String integration, String key, String kind, long sentAt, long ingestMillis, int status, String messageId, String problem) {

    boolean accepted() {
        return status == 202 && messageId != null;
    }

    boolean answeredDuplicate() {
        return status == 200 && messageId != null;
    }
}
