package dev.junction.server.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tests' verdict can fail: a lost key, a key that arrived as two messages, and a plain re-delivery are each told apart. */
class EffectsTest {
    private final HttpClient client = HttpClient.newHttpClient();

    private void deliver(RecordingTarget target, String key, String messageId, String body) throws Exception {
        client.send(HttpRequest.newBuilder(URI.create(target.baseUrl() + "/erp/orders")).header("Idempotency-Key", key)
                .header("X-Junction-Message-Id", messageId).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    @Test
    void aLostKeyADuplicateEffectAndARedeliveryAreEachReported() throws Exception {
        try (RecordingTarget target = new RecordingTarget()) {
            deliver(target, "once", "m1", "{}");
            deliver(target, "again", "m2", "{}");
            deliver(target, "again", "m2", "{}"); // at-least-once: the same message again, one effect
            deliver(target, "twice", "m3", "{}");
            deliver(target, "twice", "m4", "{}"); // the inbox accepted one key twice: two effects, though the bodies are equal
            Effects effects = Effects.of(List.of("once", "again", "twice", "lost"), target);
            assertEquals(List.of("lost"), effects.lost());
            assertEquals(List.of("twice"), effects.duplicateEffects());
            assertEquals(List.of("again", "twice"), effects.redelivered());
        }
    }
}
