package dev.junction.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Webhook ingest with unique idempotency keys. Open model by default: new senders arrive at {@code rate} per second, each
 * posting one order, for {@code duration} seconds after a {@code rampUp}. With {@code -Dconcurrency=N}, a closed model instead:
 * N senders post back to back for {@code duration} seconds, which finds the saturation throughput. Run against a started server:
 * <pre>mvn -pl load-tests gatling:test -Drate=500 -Dduration=60 -DbaseUrl=http://127.0.0.1:8080
 * mvn -pl load-tests gatling:test -Dconcurrency=64 -Dduration=60</pre>
 * Keys carry a run id, so repeated runs against the same journal are new messages, not duplicates.
 */
public class WebhookIngestSimulation extends Simulation {
    private static final String BASE_URL = System.getProperty("baseUrl", "http://127.0.0.1:8080");
    private static final String PATH = System.getProperty("path", "/webhooks/webshop/orders");
    private static final double RATE = Double.parseDouble(System.getProperty("rate", "500"));
    private static final int DURATION = Integer.getInteger("duration", 30);
    private static final int RAMP_UP = Integer.getInteger("rampUp", 5);
    private static final int CONCURRENCY = Integer.getInteger("concurrency", 0);
    private static final String RUN_ID = System.getProperty("runId", Long.toString(System.currentTimeMillis(), 36));
    // The SLOs the run is held to: under 1 % failed requests always; an ingest p99 (ms) when -Dp99 is given (#16: 20 ms at
    // half the saturation rate).
    private static final Integer P99_MILLIS = Integer.getInteger("p99");
    private static final String ORDER = """
        {"id":"#{key}","currency":"EUR","customer":{"email":"ada@example.com","name":"Ada Lovelace"},\
        "lines":[{"sku":"LAMP-01","qty":2,"price":19.5},{"sku":"BULB-E27","qty":4,"price":3.25}]}""";

    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final Iterator<Map<String, Object>> KEYS =
            Stream.generate(() -> Map.<String, Object>of("key", RUN_ID + "-" + SEQUENCE.incrementAndGet())).iterator();

    private final HttpProtocolBuilder protocol = http.baseUrl(BASE_URL)
            .contentTypeHeader("application/json")
            .acceptHeader("application/json")
            .shareConnections();

    private io.gatling.javaapi.core.PopulationBuilder closedSenders() {
        // Each virtual user posts one order; Gatling keeps CONCURRENCY of them in flight.
        return scenario("webhook ingest, closed").exec(postOrder()).injectClosed(io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers(CONCURRENCY).during(DURATION));
    }

    private static io.gatling.javaapi.core.ChainBuilder postOrder() {
        return io.gatling.javaapi.core.CoreDsl.feed(KEYS)
                .exec(http("post order").post(PATH)
                        .header("Idempotency-Key", "#{key}")
                        .body(StringBody(ORDER))
                        .check(status().is(202)));
    }

    private final ScenarioBuilder ingest = scenario("webhook ingest")
            .exec(postOrder());

    {
        var population = CONCURRENCY > 0
                ? closedSenders()
                : ingest.injectOpen(rampUsersPerSec(1).to(RATE).during(RAMP_UP), constantUsersPerSec(RATE).during(DURATION));
        List<Assertion> slos = new ArrayList<>(List.of(global().failedRequests().percent().lt(1.0)));
        if (P99_MILLIS != null) {
            slos.add(global().responseTime().percentile(99.0).lt(P99_MILLIS));
        }
        setUp(population)
                .protocols(protocol)
                .assertions(slos);
    }
}
