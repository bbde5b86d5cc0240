package dev.junction.server.chaos;

import dev.junction.server.config.JunctionSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the scenarios one after the other against one started node: for each, applies its fault to the stand-ins, drives the
 * webhooks and the feeds, lifts the fault after the fault window, waits for every accepted message to settle, and tallies.
 */
final class ChaosRun {
    static final int WARM_UP_MESSAGES = 50;
    private final ChaosOptions options;
    private final Plan plan;
    private final Map<String, StandIn> standIns;
    private final JournalProxy journal;
    private final Ledger ledger;
    private final Path scratch;
    private final JunctionSettings settings;
    private final FileEffects fileEffects = new FileEffects();
    private final Map<String, Feed> feeds;

    /** {@code journal} is the proxy in front of the journal database for {@code journal-down}; null without it. */
    ChaosRun(ChaosOptions options, Plan plan, Map<String, StandIn> standIns, Map<String, Feed> feeds, JournalProxy journal,
             Ledger ledger, Path scratch, JunctionSettings settings) {
        this.feeds = feeds;
        this.journal = journal;
        this.options = options;
        this.plan = plan;
        this.standIns = standIns;
        this.ledger = ledger;
        this.scratch = scratch;
        this.settings = settings;
    }

    List<ScenarioResult> run(Node node) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newFixedThreadPool(4, daemon("chaos-client"))).build();
        URI base = URI.create("http://127.0.0.1:" + node.httpAddress().getPort() + "/");
        Driver driver = new Driver(client, base.resolve("webhooks/"), feeds);
        Settler settler = new Settler(client, base.resolve("api/v1/messages/"));
        String run = Long.toString(System.currentTimeMillis(), 36);
        warmUp(driver, settler, run);
        List<ScenarioResult> results = new ArrayList<>();
        for (Scenario scenario : options.scenarios()) {
            String prefix = "chaos-" + run + "-" + scenario.wire() + "-";
            ledger.resetAnswers();
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("chaos-fault"));
            try {
                apply(scenario);
                if (scenario.faultsTarget()) {
                    timer.schedule(this::lift, Scenario.faultWindow(options.duration()).toMillis(), TimeUnit.MILLISECONDS);
                }
                List<Sent> sent = settler.accepted(driver.drive(plan.driven(), scenario, prefix, options.messagesPerIntegration(),
                        options.rate()), byName(), feeds, options.settle());
                List<String> ids = sent.stream().filter(Sent::accepted).map(Sent::messageId).distinct().toList();
                Map<String, Outcome> outcomes = settler.settle(ids, options.settle());
                plan.fileSystems().forEach(system -> fileEffects.collect(system, Plan.fileRoot(scratch, system), ledger));
                ScenarioResult result = Tally.of(scenario, prefix, plan.driven(), sent, outcomes, ledger, ledger.answers());
                results.add(result.withChecks(options.slos().check(result)));
            } finally {
                timer.shutdownNow();
                lift();
            }
        }
        return results;
    }

    /**
     * A fresh JVM answers its first requests slowly (class loading, the JIT): one second of faultless messages (at most
     * {@link #WARM_UP_MESSAGES}), settled and not reported, so the first scenario's latencies are the node's, not the start's.
     */
    private void warmUp(Driver driver, Settler settler, String run) throws InterruptedException {
        int n = (int) Math.min(WARM_UP_MESSAGES, Math.max(1, Math.round(options.rate())));
        List<Sent> sent = settler.accepted(driver.drive(plan.driven(), Scenario.BASELINE, "chaos-" + run + "-warm-up-", n,
                options.rate()), byName(), feeds, options.settle());
        settler.settle(sent.stream().filter(Sent::accepted).map(Sent::messageId).toList(), options.settle());
    }

    private Map<String, Driven> byName() {
        Map<String, Driven> byName = new java.util.HashMap<>();
        plan.driven().forEach(d -> byName.put(d.integration(), d));
        return byName;
    }

    /** Puts the scenario's fault on every stand-in. */
    private void apply(Scenario scenario) {
        if (scenario == Scenario.JOURNAL_DOWN) {
            journal.down();
        }
        for (Map.Entry<String, StandIn> e : standIns.entrySet()) {
            StandIn standIn = e.getValue();
            switch (scenario) {
                case TARGET_DOWN -> standIn.down();
                case STORM_429 -> standIn.fault(key -> new StandIn.Answer(429, Duration.ZERO, "1"));
                case SLOW -> {
                    Duration late = settings.systems().get(e.getKey()).resilience().breaker().callTimeout().plusSeconds(1);
                    standIn.fault(key -> new StandIn.Answer(200, late, null));
                }
                case PERMANENT_4XX -> standIn.fault(key -> permanentlyRefused(key)
                        ? new StandIn.Answer(400, Duration.ZERO, null) : StandIn.Answer.OK);
                default -> standIn.fault(key -> StandIn.Answer.OK);
            }
        }
    }

    /** Lifts the fault: the journal and the stand-ins listen again, and the stand-ins answer 200. */
    private void lift() {
        if (journal != null) {
            journal.up();
        }
        for (StandIn standIn : standIns.values()) {
            standIn.up();
            standIn.fault(key -> StandIn.Answer.OK);
        }
    }

    /** 1 key in 100: the one whose sequence number ends in 99 (by hash when the key has no number). */
    static boolean permanentlyRefused(String key) {
        java.util.regex.Matcher number = SEQUENCE.matcher(key);
        return number.find() ? Integer.parseInt(number.group(1)) % 100 == 99 : Math.floorMod(key.hashCode(), 100) == 99;
    }

    /** The sequence number at the end of a key the driver made ({@code ...-17}, {@code ...-17.json}). */
    private static final java.util.regex.Pattern SEQUENCE = java.util.regex.Pattern.compile("-(\\d{1,9})(\\.json)?$");

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
