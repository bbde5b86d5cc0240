package dev.junction.connectors.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.connectors.api.ConnectorException;
import dev.junction.connectors.api.PermanentException;
import dev.junction.connectors.api.RetriableException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * Classification by SQLState (and MariaDB's vendor codes where it reports HY000), as PostgreSQL and MariaDB report them; the
 * pool's exhaustion is shown against a real pool in {@code JdbcConnectorContractIT}.
 */
class FailuresTest {

    private static ConnectorException classify(String state, int vendorCode) {
        return Failures.classify(new SQLException("the database's own words", state, vendorCode), null);
    }

    @Test
    void constraintViolationsAndBadDataArePermanentWithTheDatabasesReason() {
        for (String state : new String[] {"23505", "23502", "23503", "23514", "23000"}) {
            PermanentException p = assertInstanceOf(PermanentException.class, classify(state, 0), state);
            assertEquals("constraint-violation", p.errorClass());
            assertTrue(p.getMessage().contains("the database's own words") && p.getMessage().contains(state), p.getMessage());
        }
        assertEquals("bad-data", classify("22P02", 0).errorClass());
        assertEquals("bad-data", classify("22001", 0).errorClass());
        assertEquals("bad-data", classify("HY000", 1366).errorClass(), "MariaDB: incorrect decimal value, strict mode");
        assertInstanceOf(PermanentException.class, classify("42P01", 0), "a table that is not there");
    }

    @Test
    void connectionLossDeadlocksAndSerializationFailuresAreRetriable() {
        for (Object[] c : new Object[][] {{"08006", 0, "connection"}, {"08000", 0, "connection"}, {"40001", 0, "deadlock"},
                {"40P01", 0, "deadlock"}, {"40001", 1213, "deadlock"}, {"HY000", 1205, "deadlock"}, {"57014", 0, "timeout"},
                {"57P01", 0, "timeout"}}) {
            RetriableException r = assertInstanceOf(RetriableException.class, classify((String) c[0], (Integer) c[1]), c[0] + "/" + c[1]);
            assertEquals(c[2], r.errorClass(), c[0] + "/" + c[1]);
            assertTrue(!r.isThrottled(), "a failure of the database counts for its breaker");
        }
        assertInstanceOf(RetriableException.class, classify(null, 0), "unknown: tried again");
    }
}
