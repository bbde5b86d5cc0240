package dev.junction.connectors.http;

import com.typesafe.config.Config;
import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigProblem;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.Placement;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceFactory;
import dev.junction.connectors.api.SourceInstance;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code batch} source kind: the poll's fetch on a cron schedule, each run over the window from the last successful run's
 * watermark to the run's start. It runs on one node of the cluster ({@link Placement#ONE_NODE}: a sharded single reader), and
 * that node runs one run at a time, so no two runs of one integration overlap anywhere in the cluster; when the node dies the
 * next run starts on another from the last committed watermark. A failed run is tried again at the next scheduled time.
 */
final class BatchSourceFactory implements SourceFactory {

    static final ConfigField SCHEDULE = ConfigField.string("schedule").required()
            .description("When runs start: a Quartz cron expression (seconds minutes hours day-of-month month day-of-week "
                    + "[year]; one of the two day fields is '?').")
            .example("0 */15 * * * ?").example("0 0 2 * * ?")
            .check((String c) -> isCron(c), "must be a Quartz cron expression, such as \"0 */15 * * * ?\"");

    static final ConfigField TIME_ZONE = ConfigField.string("time-zone").defaultValue("UTC")
            .description("The time zone the schedule is read in (an IANA name).")
            .example("Europe/Berlin")
            .check((String z) -> isZone(z), "must be a time zone such as UTC or Europe/Berlin");

    static final ConfigField UNTIL_PARAM = ConfigField.string("until-param")
            .description("A query parameter the run's start is sent in (ISO-8601, UTC), so each run reads a closed window "
                    + "[watermark, start); without it the window's end is only recorded.")
            .example("updated_before");

    private static final ConfigSpec SPEC = ConfigSpec.of(
            "Reads an HTTP API on a cron schedule: each run reads the pages changed since the last successful run's watermark, "
                    + "hands every item to the inbox and commits the newest watermark once every item is durable. No two runs "
                    + "of one integration at once in the cluster; a failed run is tried again at the next scheduled time.",
            PollSourceFactory.withFetch(SCHEDULE, TIME_ZONE, UNTIL_PARAM));

    @Override
    public ConfigSpec spec() {
        return SPEC;
    }

    @Override
    public Placement placement(Config systemConfig, Config settings) {
        return Placement.ONE_NODE;
    }

    @Override
    public List<ConfigProblem> validate(Config systemConfig, Config settings, String settingsPath) {
        List<ConfigProblem> problems = new ArrayList<>(PollSourceFactory.check(systemConfig, settings, settingsPath));
        if (isCron(settings.getString("schedule")) && isZone(settings.getString("time-zone"))
                && schedule(settings).next(java.time.Instant.now(), true) == null) {
            problems.add(ConfigProblem.of(settings.getValue("schedule"), settingsPath + ".schedule", "names no time in the future"));
        }
        return problems;
    }

    @Override
    public SourceInstance create(SourceContext context) {
        PollSettings settings = PollSettings.from(context.systemConfig(), context.settings());
        return new PollSource(settings, new PageFetcher(settings, context), context, schedule(context.settings()));
    }

    private static CronSchedule schedule(Config settings) {
        return CronSchedule.parse(settings.getString("schedule"), ZoneId.of(settings.getString("time-zone")));
    }

    private static boolean isCron(String cron) {
        try {
            CronSchedule.parse(cron, ZoneId.of("UTC"));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean isZone(String zone) {
        try {
            ZoneId.of(zone);
            return true;
        } catch (DateTimeException e) {
            return false;
        }
    }
}
