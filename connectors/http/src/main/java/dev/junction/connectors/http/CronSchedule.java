package dev.junction.connectors.http;

import java.text.ParseException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.TimeZone;
import org.quartz.CronExpression;

/**
 * A batch's schedule: a Quartz cron expression ({@code "0 *&#47;15 * * * ?"}: seconds, minutes, hours, day of month, month, day
 * of week, optional year) in a declared time zone, so {@code 0 0 2 * * ?} is 02:00 Berlin time in summer and in winter. A run
 * that is still going when the next time comes delays that run (runs never overlap); the next run is the first time after
 * the last one ended. Each run's window ends at its start. Used by one run loop at a time (Quartz's expression is not
 * thread-safe).
 */
final class CronSchedule implements Schedule {
    private final CronExpression expression;

    private CronSchedule(CronExpression expression) {
        this.expression = expression;
    }

    /** Parses {@code cron} in {@code zone}; throws {@link IllegalArgumentException} with Quartz's reason. */
    static CronSchedule parse(String cron, ZoneId zone) {
        try {
            CronExpression expression = new CronExpression(cron);
            expression.setTimeZone(TimeZone.getTimeZone(zone));
            return new CronSchedule(expression);
        } catch (ParseException e) {
            throw new IllegalArgumentException("is not a Quartz cron expression (seconds minutes hours day-of-month month "
                    + "day-of-week [year], such as \"0 */15 * * * ?\"): " + e.getMessage());
        }
    }

    /** The first time after {@code now} that the expression names; null when it names none (a year in the past). */
    @Override
    public Instant next(Instant now, boolean first) {
        Date next = expression.getNextValidTimeAfter(Date.from(now));
        return next == null ? null : next.toInstant();
    }

    @Override
    public boolean windowed() {
        return true;
    }
}
