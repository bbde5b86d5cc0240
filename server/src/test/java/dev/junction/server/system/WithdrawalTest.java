package dev.junction.server.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.SinkContext;
import dev.junction.connectors.api.SinkFactory;
import dev.junction.connectors.api.SinkInstance;
import dev.junction.connectors.api.SinkRecord;
import dev.junction.server.config.ResilienceSettings;
import dev.junction.server.config.SystemSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A system whose one slot (max-in-flight 1) is held by a slow attempt, and calls waiting behind it: once their deliveries are
 * withdrawn (their partition hands off), a sweep answers them at once, while the attempt under way goes on; a withdrawn call
 * that reaches the head of the queue is answered, not made; a call whose delivery had started an attempt is never withdrawn.
 */
class WithdrawalTest {
    private final ActorTestKit kit = ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local"));
    private final List<CompletableFuture<Void>> sent = new CopyOnWriteArrayList<>();
    private final List<String> sentIds = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        kit.shutdownTestKit();
    }

    /** A ticket as a partition's delivery holds one: asked to withdraw by the test, withdrawn only if nothing started. */
    private static final class TestTicket implements Ticket {
        volatile boolean asked;
        boolean started;
        boolean withdrawn;

        @Override
        public synchronized boolean withdrawIfAsked() {
            if (asked && !started) {
                withdrawn = true;
            }
            return withdrawn;
        }

        @Override
        public synchronized boolean start() {
            if (withdrawIfAsked()) {
                return false;
            }
            started = true;
            return true;
        }
    }

    @Test
    void withdrawnCallsWaitingForASlotAreAnsweredAtOnceAndNeverMade() throws Exception {
        ActorRef<SystemActor.Command> system = kit.spawn(SystemActor.create(settings(), List.of(new SinkBinding("t", factory(),
                null)), new SystemHealth()));
        TestTicket first = new TestTicket();
        CompletableFuture<CallResult> underWay = call(system, "m0", first);
        await(() -> sent.size() == 1, "the first call holds the slot");

        List<TestTicket> tickets = new ArrayList<>();
        List<CompletableFuture<CallResult>> waiting = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            TestTicket ticket = new TestTicket();
            tickets.add(ticket);
            waiting.add(call(system, "m" + i, ticket));
        }
        Thread.sleep(200);
        assertTrue(waiting.stream().noneMatch(CompletableFuture::isDone), "they wait for the slot");

        // a partition hands off: m2 to m9 are withdrawn (behind m1, of another partition, which waits on), and so is asked
        // m0's, which has started its attempt
        first.asked = true;
        tickets.subList(1, 9).forEach(t -> t.asked = true);
        system.tell(new SystemActor.Sweep());
        for (int i = 1; i < 9; i++) {
            CallResult answer = waiting.get(i).get(5, TimeUnit.SECONDS);
            assertEquals(new CallResult.NotAttempted(SystemActor.WITHDRAWN), answer, "call m" + (i + 1));
        }
        assertFalse(underWay.isDone(), "the attempt under way is not withdrawn: it goes on to its end");
        assertFalse(waiting.get(0).isDone() || waiting.get(9).isDone(), "calls not withdrawn still wait for the slot");
        assertEquals(List.of("m0"), sentIds);

        // m10 is asked while it waits, with no sweep: when its turn comes (after m1) it is answered, not made
        tickets.get(9).asked = true;
        sent.get(0).complete(null);
        assertInstanceOf(CallResult.Attempted.class, underWay.get(5, TimeUnit.SECONDS));
        await(() -> sent.size() == 2, "m1 takes the slot");
        sent.get(1).complete(null);
        assertInstanceOf(CallResult.Attempted.class, waiting.get(0).get(5, TimeUnit.SECONDS));
        assertEquals(new CallResult.NotAttempted(SystemActor.WITHDRAWN), waiting.get(9).get(5, TimeUnit.SECONDS));
        Thread.sleep(200);
        assertEquals(List.of("m0", "m1"), sentIds, "no withdrawn call was made");
    }

    private CompletableFuture<CallResult> call(ActorRef<SystemActor.Command> system, String id, Ticket ticket) {
        CompletableFuture<CallResult> reply = new CompletableFuture<>();
        SinkRecord record = new SinkRecord(id, "orders", "key-" + id, null, new byte[0], java.util.Map.of(), 1);
        system.tell(new SystemActor.Call(new SystemActor.Send("t", record), System.nanoTime() + Duration.ofMinutes(1).toNanos(),
                reply, ticket));
        return reply;
    }

    private SinkFactory factory() {
        return new SinkFactory() {
            @Override
            public ConfigSpec spec() {
                return null;
            }

            @Override
            public SinkInstance create(SinkContext context) {
                return record -> {
                    CompletableFuture<Void> answer = new CompletableFuture<>();
                    sentIds.add(record.messageId());
                    sent.add(answer);
                    return answer;
                };
            }
        };
    }

    private static SystemSettings settings() {
        ResilienceSettings resilience = new ResilienceSettings(
                new ResilienceSettings.Retry(3, Duration.ofMillis(10), Duration.ofMillis(100), 0.0, Duration.ofHours(1)),
                new ResilienceSettings.Breaker(false, 5, Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(60)),
                Optional.empty(), 1, 100);
        return new SystemSettings("slow", null, ConfigFactory.empty(), resilience);
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("not within 5 s: " + what);
            }
            Thread.sleep(10);
        }
    }
}
