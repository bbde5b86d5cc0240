package dev.junction.server.testing;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Steady webhook traffic for the resilience tests: one order every {@code periodMillis}, each key remembered once accepted. */
public final class Load implements AutoCloseable {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger next = new AtomicInteger();
    public final ConcurrentHashMap<String, Long> acceptedAt = new ConcurrentHashMap<>();
    public final ConcurrentLinkedQueue<String> refused = new ConcurrentLinkedQueue<>();

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
                refused.add(key + ": " + e);
            }
        }, 0, periodMillis, TimeUnit.MILLISECONDS);
    }

    public List<String> accepted() {
        return List.copyOf(acceptedAt.keySet());
    }

    @Override
    public void close() throws InterruptedException {
        scheduler.shutdown();
        scheduler.awaitTermination(10, TimeUnit.SECONDS);
    }
}
