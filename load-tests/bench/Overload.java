// Open-model webhook load for load-tests/overload.sh, JDK only (run as: java Overload.java <url> <rate> <seconds> <recovery
// rate> <recovery seconds> <run id>): posts orders with unique keys at <rate>/s for <seconds>, whatever the server answers
// (new requests do not wait for old ones), then at <recovery rate>/s for <recovery seconds>. Every request has a 10 s timeout.
// Prints, per phase, the answers (202/200, 503 with and without Retry-After, other, no answer), latency percentiles, and
// for the recovery phase how long after the overload every second's requests were all acknowledged again.
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

public class Overload {
    private static final int MAX_IN_FLIGHT = 4096;
    private static final String ORDER = "{\"id\":\"%s\",\"currency\":\"EUR\",\"customer\":{\"email\":\"ada@example.com\",\"name\":\"Ada"
            + " Lovelace\"},\"lines\":[{\"sku\":\"LAMP-01\",\"qty\":2,\"price\":19.5},{\"sku\":\"BULB-E27\",\"qty\":4,\"price\":3.25}]}";

    /** One phase's counts, and per second of the phase (by when the request was sent) how many were sent and acknowledged. */
    static final class Phase {
        final String name;
        final int seconds;
        final LongAdder sent = new LongAdder(), acknowledged = new LongAdder(), refusedWithRetryAfter = new LongAdder(),
                refusedWithout = new LongAdder(), other = new LongAdder(), noAnswer = new LongAdder(), notSent = new LongAdder();
        final LongAdder[] sentAt, acknowledgedAt;
        final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        final ConcurrentHashMap<String, LongAdder> otherStatuses = new ConcurrentHashMap<>();

        Phase(String name, int seconds) {
            this.name = name;
            this.seconds = seconds;
            sentAt = new LongAdder[seconds + 1];
            acknowledgedAt = new LongAdder[seconds + 1];
            for (int i = 0; i <= seconds; i++) {
                sentAt[i] = new LongAdder();
                acknowledgedAt[i] = new LongAdder();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        URI url = URI.create(args[0]);
        double rate = Double.parseDouble(args[1]);
        int seconds = Integer.parseInt(args[2]);
        double recoveryRate = Double.parseDouble(args[3]);
        int recoverySeconds = Integer.parseInt(args[4]);
        String runId = args[5];
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).executor(Executors.newFixedThreadPool(4)).build();
        Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
        AtomicLong sequence = new AtomicLong();
        Phase overload = new Phase("overload", seconds);
        Phase recovery = new Phase("recovery", recoverySeconds);
        for (Phase phase : List.of(overload, recovery)) {
            double perSecond = phase == overload ? rate : recoveryRate;
            long start = System.nanoTime();
            long due = 0;
            while (true) {
                long elapsed = System.nanoTime() - start;
                if (elapsed >= TimeUnit.SECONDS.toNanos(phase.seconds)) {
                    break;
                }
                long shouldHaveSent = (long) (elapsed / 1e9 * perSecond);
                for (; due < shouldHaveSent; due++) {
                    int second = (int) (elapsed / 1_000_000_000L);
                    if (!inFlight.tryAcquire()) {
                        phase.notSent.increment(); // the generator's own limit: counted, never hidden
                        continue;
                    }
                    send(client, url, runId + "-" + phase.name + "-" + sequence.incrementAndGet(), phase, second, inFlight);
                }
                Thread.sleep(1);
            }
            System.out.printf("%s: %d s at %.0f/s offered%n", phase.name, phase.seconds, perSecond);
        }
        inFlight.acquire(MAX_IN_FLIGHT); // every request answered or timed out
        for (Phase phase : List.of(overload, recovery)) {
            report(phase);
        }
        int back = -1;
        for (int s = recovery.seconds - 1; s >= 0; s--) {
            long sent = recovery.sentAt[s].sum();
            if (sent == 0 || recovery.acknowledgedAt[s].sum() < sent) {
                back = s + 1;
                break;
            }
            back = s;
        }
        System.out.printf("recovery: every request acknowledged from second %d after the overload on (of %d)%n", back,
                recovery.seconds);
        System.out.printf("acknowledged keys in all: %d%n", overload.acknowledged.sum() + recovery.acknowledged.sum());
        System.exit(0);
    }

    private static void send(HttpClient client, URI url, String key, Phase phase, int second, Semaphore inFlight) {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(ORDER.formatted(key))).build();
        long sentAt = System.nanoTime();
        phase.sent.increment();
        phase.sentAt[second].increment();
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
            inFlight.release();
            phase.latencies.add((System.nanoTime() - sentAt) / 1_000_000);
            if (failure != null) {
                phase.noAnswer.increment();
            } else if (response.statusCode() == 202 || response.statusCode() == 200) {
                phase.acknowledged.increment();
                phase.acknowledgedAt[second].increment();
            } else if (response.statusCode() == 503) {
                (response.headers().firstValue("Retry-After").isPresent() ? phase.refusedWithRetryAfter : phase.refusedWithout).increment();
            } else {
                phase.other.increment();
                phase.otherStatuses.computeIfAbsent(String.valueOf(response.statusCode()), k -> new LongAdder()).increment();
            }
        });
    }

    private static void report(Phase p) {
        List<Long> sorted;
        synchronized (p.latencies) {
            sorted = new ArrayList<>(p.latencies);
        }
        Collections.sort(sorted);
        System.out.printf("%s: sent %d (%.0f/s), acknowledged %d (%.0f/s), 503 with Retry-After %d, 503 without %d, other %d %s,"
                        + " no answer within 10 s %d, not sent (generator at %d in flight) %d; latency p50 %d ms, p99 %d ms, max %d ms%n",
                p.name, p.sent.sum(), p.sent.sum() / (double) p.seconds, p.acknowledged.sum(), p.acknowledged.sum() / (double) p.seconds,
                p.refusedWithRetryAfter.sum(), p.refusedWithout.sum(), p.other.sum(), p.otherStatuses, p.noAnswer.sum(),
                MAX_IN_FLIGHT, p.notSent.sum(), percentile(sorted, 0.50), percentile(sorted, 0.99),
                sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1));
    }

    private static long percentile(List<Long> sorted, double q) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * q) - 1));
    }
}
