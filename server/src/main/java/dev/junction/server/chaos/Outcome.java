package dev.junction.server.chaos;

import java.util.List;
import java.util.Map;

/**
 * How one accepted message ended, as the admin API tells ({@code GET /api/v1/messages/<id>}).
 *
 * @param status       pending, delivered, filtered, dead-lettered, discarded or split; {@code unknown} when the API does not
 *                     know the id (a loss: an accepted message must be found)
 * @param targets      each target's latest status by target name
 * @param errorClasses the error class of each dead-lettered target
 * @param attempts     the most attempts any target took in the last delivery (1: delivered first time)
 * @param children     for a split message, the message ids of its elements
 */
record Outcome(String status, Map<String, String> targets, List<String> errorClasses, int attempts, List<String> children) {
    static final List<String> FINAL = List.of("delivered", "filtered", "dead-lettered", "discarded", "split");

    boolean settled() {
        return FINAL.contains(status);
    }
}
