package dev.junction.connectors.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.junction.connectors.api.ConfigProblem;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BatchScheduleTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @Test
    void everyQuarterHourIsTheNextQuarterAfterTheLastRunEnded() {
        CronSchedule schedule = CronSchedule.parse("0 */15 * * * ?", BERLIN);
        assertEquals(Instant.parse("2026-12-01T10:15:00Z"), schedule.next(Instant.parse("2026-12-01T10:07:13Z"), true));
        // a run that ended after its successor's time does not overlap it: the next is the first time after its end
        assertEquals(Instant.parse("2026-12-01T10:45:00Z"), schedule.next(Instant.parse("2026-12-01T10:31:00Z"), false));
        assertTrue(schedule.windowed());
    }

    @Test
    void theTimeZoneDecidesTheHourInWinterAndInSummer() {
        CronSchedule nineInBerlin = CronSchedule.parse("0 0 9 * * ?", BERLIN);
        assertEquals(Instant.parse("2026-12-01T08:00:00Z"), nineInBerlin.next(Instant.parse("2026-12-01T00:00:00Z"), true));
        assertEquals(Instant.parse("2026-07-01T07:00:00Z"), nineInBerlin.next(Instant.parse("2026-07-01T00:00:00Z"), true));
        assertEquals(Instant.parse("2026-12-01T09:00:00Z"),
                CronSchedule.parse("0 0 9 * * ?", ZoneId.of("UTC")).next(Instant.parse("2026-12-01T00:00:00Z"), true));
    }

    @Test
    void secondsAllowATestScheduleAndAPastYearNamesNothing() {
        CronSchedule everyThree = CronSchedule.parse("*/3 * * * * ?", ZoneId.of("UTC"));
        assertEquals(Instant.parse("2026-12-01T10:00:03Z"), everyThree.next(Instant.parse("2026-12-01T10:00:00Z"), true));
        assertNull(CronSchedule.parse("0 0 0 1 1 ? 2020", ZoneId.of("UTC")).next(Instant.parse("2026-12-01T00:00:00Z"), true));
        assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("*/15 * * * *", ZoneId.of("UTC")));
    }

    @Test
    void aPollWaitsEveryAfterARunAndStartsAtOnce() {
        Schedule every = Schedule.every(Duration.ofMinutes(1));
        Instant now = Instant.parse("2026-12-01T10:00:00Z");
        assertEquals(now, every.next(now, true));
        assertEquals(now.plusSeconds(60), every.next(now, false));
    }

    @Test
    void badBlocksAreReportedWithTheirPaths() {
        BatchSourceFactory factory = new BatchSourceFactory();
        Config block = ConfigFactory.parseString("""
                path = "/api/contacts", idempotency-key = "json:/id", schedule = "0 */15 * * *", time-zone = "Mars/Olympus"
                next-page = "json:/next", offset { limit = 10 }, watermark { param = since, from = "updatedAt" }
                """);
        Config system = ConfigFactory.parseString("base-url = \"http://crm.example.com\"");
        String at = "integrations.contacts.source.batch";
        List<ConfigProblem> problems = new ArrayList<>(factory.spec().validate(block, at, Set.of()));
        problems.addAll(factory.validate(system, factory.spec().withDefaults(block), at));
        List<String> paths = problems.stream().map(p -> p.path() + ": " + p.reason()).toList();
        assertTrue(paths.contains(at + ".schedule: must be a Quartz cron expression, such as \"0 */15 * * * ?\""), paths.toString());
        assertTrue(paths.contains(at + ".time-zone: must be a time zone such as UTC or Europe/Berlin"), paths.toString());
        assertTrue(paths.contains(at + ".watermark.from: must be a JSON pointer: empty (the root) or starting with '/', such as /data"), paths.toString());
        assertTrue(paths.contains(at + ".offset: only one of next-page, page-number and offset may be set (also set: next-page)"), paths.toString());
        assertEquals(4, problems.size(), paths.toString());
    }
}
