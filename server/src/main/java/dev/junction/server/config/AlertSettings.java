package dev.junction.server.config;

import java.time.Duration;
import java.util.Map;

/**
 * The built-in alerts: {@code junction.alerts} and each integration's {@code monitoring} block (defaults in
 * {@code junction.monitoring-defaults}).
 *
 * @param checkInterval  how often they are evaluated
 * @param bucket         the time bucket of the durable activity counts
 * @param breakerOpenFor a breaker open this long is an alert
 * @param notifies       true when {@code notify} names targets (then the integration {@link #NOTIFY_INTEGRATION} delivers them)
 * @param monitoring     per integration
 */
public record AlertSettings(Duration checkInterval, Duration bucket, Duration breakerOpenFor, boolean notifies,
                            Map<String, Monitoring> monitoring) {
    /** The integration, made from {@code junction.alerts.notify}, that delivers alert notifications. */
    public static final String NOTIFY_INTEGRATION = "junction-alerts";

    /**
     * @param freshness    null: no freshness alert
     * @param volumeWindow the window whose count is compared with the baseline's average window
     */
    public record Monitoring(Duration freshness, Duration volumeWindow, Duration volumeBaseline, double volumeMinRatio,
                             Duration failuresWindow, double failuresMaxRatio) {}
}
