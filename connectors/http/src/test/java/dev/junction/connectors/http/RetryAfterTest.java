package dev.junction.connectors.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
    private final Clock clock = Clock.fixed(Instant.parse("2025-03-01T12:00:00Z"), ZoneOffset.UTC);

    @Test
    void readsDeltaSecondsAndHttpDates() {
        assertEquals(Optional.of(Duration.ofSeconds(120)), RetryAfter.parse("120", clock));
        assertEquals(Optional.of(Duration.ofSeconds(30)), RetryAfter.parse("Sat, 01 Mar 2025 12:00:30 GMT", clock));
        assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("Sat, 01 Mar 2025 11:00:00 GMT", clock));
    }

    @Test
    void ignoresWhatIsNeither() {
        assertEquals(Optional.empty(), RetryAfter.parse("soon", clock));
        assertEquals(Optional.empty(), RetryAfter.parse("-5", clock));
        assertEquals(Optional.empty(), RetryAfter.parse("", clock));
        assertEquals(Optional.empty(), RetryAfter.parse("99999999999999999999999", clock));
    }
}
