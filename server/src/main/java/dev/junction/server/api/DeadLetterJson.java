package dev.junction.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.server.inbox.DeadLetterService;
import dev.junction.server.inbox.DeadLetters;
import dev.junction.server.inbox.Envelope;
import dev.junction.server.inbox.Settlement;
import dev.junction.server.masking.Redactor;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** The JSON shapes of the dead-letter resource. Times are ISO-8601 instants. */
final class DeadLetterJson {
    private DeadLetterJson() {}

    /** {@code next}: pass it as {@code after} for the following page; null on the last page. */
    record Listing(List<Entry> items, int matched, String next) {}

    record Entry(String messageId, String integration, String idempotencyKey, String target, String system, String errorClass,
                 String detail, int attempts, String receivedAt, String deadLetteredAt) {}

    /**
     * One dead letter in full. {@code raw} is the body as received: text when it is UTF-8, else base64 ({@code rawEncoding}).
     */
    record View(String messageId, String integration, int partition, String idempotencyKey, String receivedAt, String contentType,
                String rawEncoding, String raw, Map<String, String> headers, JsonNode transformed, List<String> mappingVersions,
                String deadLetteredAt, List<Target> targets, List<Operation> operations) {}

    record Target(String target, String system, String errorClass, String detail, int attempts, List<Attempt> history) {}

    record Attempt(int number, String at, long millis, String result, String errorClass, String detail) {}

    record Operation(String action, String messageId, String idempotencyKey, List<String> targets, String by, String reason, String at,
                     String detail) {}

    /** What a replay or discard took: each envelope with the targets concerned. */
    record Applied(String action, int count, List<DeadLetters.Selected> messages) {}

    static Listing listing(DeadLetters.Page page, int limit) {
        String next = page.entries().size() < limit ? null : DeadLetterFilter.cursor(page.entries().get(page.entries().size() - 1));
        return new Listing(page.entries().stream().map(e -> new Entry(e.messageId(), e.integration(), e.idempotencyKey(), e.target(),
                e.system(), e.errorClass(), e.detail(), e.attempts(), time(e.receivedAt()), time(e.deadLetteredAt()))).toList(),
                page.matched(), next);
    }

    /** The dead letter with what {@code shown} masks masked. */
    static View view(DeadLetterService.Located located, Redactor shown) {
        DeadLetters.DeadLetter letter = located.deadLetter();
        Envelope e = letter.envelope();
        Raw raw = raw(e.raw(), shown);
        JsonNode transformed = shown.json(parsed(letter.transformed()));
        return new View(e.messageId(), located.integration(), e.partition(), e.idempotencyKey(), time(e.receivedAt()), e.contentType(),
                raw.encoding(), raw.text(), shown.values(e.headers()),
                transformed, letter.mappingVersions(), time(letter.deadLetteredAt()),
                letter.targets().stream().map(t -> target(t, shown)).toList(),
                letter.operations().stream().map(o -> operation(o, shown)).toList());
    }

    /**
     * A raw original as shown: {@code utf-8} text or {@code base64}; with a mask, the JSON masked, or {@code withheld} (text null)
     * when it is not JSON and the pointers cannot find what to hide in it.
     */
    record Raw(String encoding, String text) {}

    static Raw raw(byte[] bytes, Redactor shown) {
        if (shown.active()) {
            JsonNode masked = shown.original();
            return masked == null ? new Raw("withheld", null) : new Raw("utf-8", masked.toString());
        }
        String text = utf8(bytes);
        return text != null ? new Raw("utf-8", text) : new Raw("base64", Base64.getEncoder().encodeToString(bytes));
    }

    /** JSON text as a tree (as text if it does not parse); null stays null. */
    static JsonNode parsed(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return AdminApi.JSON.readTree(text);
        } catch (java.io.IOException ex) {
            return AdminApi.JSON.getNodeFactory().textNode(text);
        }
    }

    static Operation operation(DeadLetters.Operation o) {
        return operation(o, Redactor.NONE);
    }

    static Operation operation(DeadLetters.Operation o, Redactor shown) {
        return new Operation(o.action(), o.messageId(), o.idempotencyKey(), o.targets(), o.by(), shown.text(o.reason()), time(o.at()),
                shown.text(o.detail()));
    }

    static Target target(Settlement.TargetOutcome t, Redactor shown) {
        List<Settlement.Attempt> history = t.history() == null ? List.of() : t.history();
        return new Target(t.target(), t.system(), t.errorClass(), shown.text(t.detail()), t.attempts(), history.stream()
                .map(a -> new Attempt(a.number(), time(a.at()), a.millis(), a.errorClass().isEmpty() ? "delivered" : "failed",
                        a.errorClass(), shown.text(a.detail())))
                .toList());
    }

    static String time(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }

    static String utf8(byte[] raw) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
