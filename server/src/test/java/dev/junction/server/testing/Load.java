package dev.junction.server.testing;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Steady webhook traffic for the resilience tests: one order every {@code periodMillis}, each key remembered once accepted. An
 * answer other than 202 is the server's to give and is kept in {@link #refused}; a request that got no answer at all is a
 * failure of the test's own load, and {@link #close} reports it rather than let a test pass on load that never arrived.
 */
public final class Load implements AutoCloseable {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger next = new AtomicInteger();
    public final ConcurrentHashMap<String, Long> acceptedAt = new ConcurrentHashMap<>();
    public final ConcurrentLinkedQueue<String> refused = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Exception> unanswered = new ConcurrentLinkedQueue<>();

    public Load(RunningServer server, String path, String prefix, long periodMillis) {
        scheduler.scheduleAtFixedRate(() -> {
            String key = prefix + "-" + next.getAndIncrement();
            try {
                long sent = System.currentTimeMillis();
                HttpResponse<String> response = server.post(path, key, TestConfig.order(key));
                if (response.statusCode() == 202) {
                    acceptedAt.put(key, sent);
                } else {
                    refused.add(key + ": " + response.statusCode());
                }
            } catch (Exception e) {
                // Kept for close(): thrown here, it would cancel the schedule and the load would stop without a word.
                unanswered.add(new IllegalStateException(key + " got no answer", e));
            }
        }, 0, periodMillis, TimeUnit.MILLISECONDS);
    }

    public List<String> accepted() {
        return List.copyOf(acceptedAt.keySet());
    }

    /** Stops the load; fails when a request got no answer (refused, timed out), with the first such failure as the cause. */
    @Override
    public void close() throws InterruptedException {
        scheduler.shutdown();
        if (!scheduler.awaitTermination(20, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the load's last request did not end within 20 s");
        }
        Exception first = unanswered.peek();
        if (first != null) {
            throw new AssertionError(unanswered.size() + " requests of the load got no answer", first);
        }
    }
}
