package dev.junction.connectors.api;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Where a source finds each message's idempotency key: one rule for every source, so a key means the same thing whether it
 * came over a webhook, a queue or a file. The forms are {@code header:<name>} (a header or message property of that name),
 * {@code json:<JSON pointer>} (a string or number in the body, such as {@code json:/order/id}), and the names a source offers
 * of its own ({@code message-id} of an AMQP message, {@code file-name} of a file): its <em>native</em> keys.
 *
 * <p>Every key found is checked the same way: not blank, at most {@link #MAX_LENGTH} characters, printable ASCII only. Keys
 * are stored in the dedup index, shown to operators and carried to every target in its native place, which is often a
 * header (HTTP {@code Idempotency-Key}, an AMQP property) that takes ASCII only. A rule that finds none says why, and the
 * source refuses the message visibly (a 400 problem, a dead letter), never silently. A source whose native key may hold
 * other characters (a file name) escapes them itself.
 *
 * <p>Immutable; parse once from configuration with {@link #parse} and share between threads.
 */
public sealed interface KeyRule {

    /** The longest key accepted. */
    int MAX_LENGTH = 255;

    /** Why a {@code header:} rule is refused. */
    String HEADER_REASON = "header:<name> needs a valid header name after the colon";
    /** Why a {@code json:} rule is refused. */
    String POINTER_REASON = "json:<pointer> needs a JSON pointer that starts with '/', such as json:/order/id";

    /**
     * The key of one message, or why there is none.
     *
     * @param key     the key; null when there is none
     * @param problem why there is none, a sentence for an operator; null when there is a key
     */
    record Found(String key, String problem) {
        public boolean isKey() {
            return key != null;
        }
    }

    /**
     * What a source knows of one message, for {@link #find}.
     *
     * @param header  a header (or message property) by name, case-insensitively where the protocol is
     * @param natives the values of the source's native keys by name ({@code message-id}); empty when a source has none
     * @param json    the body, parsed; {@code MissingNode} when it is not JSON
     */
    record Message(Function<String, Optional<String>> header, Function<String, Optional<String>> natives, JsonNode json) {}

    /** Finds the key of {@code message}. */
    Found find(Message message);

    /** The rule as it is written in configuration. */
    String spec();

    /** The key in a header or message property. */
    record Header(String name) implements KeyRule {
        @Override
        public Found find(Message message) {
            return message.header().apply(name).map(value -> checked(value, "header " + name))
                    .orElseGet(() -> new Found(null, "the message has no " + name + " header; it carries the idempotency key"));
        }

        @Override
        public String spec() {
            return "header:" + name;
        }
    }

    /** The key in the body at a JSON pointer: a string, or a number in its canonical text form ({@code 17}). */
    record Json(JsonPointer pointer) implements KeyRule {
        @Override
        public Found find(Message message) {
            JsonNode node = message.json().at(pointer);
            String where = "JSON pointer " + pointer;
            if (node.isMissingNode() || node.isNull()) {
                return new Found(null, "the body has no value at " + where + "; it carries the idempotency key");
            }
            if (!node.isTextual() && !node.isNumber()) {
                return new Found(null, "the value at " + where + " is " + node.getNodeType().name().toLowerCase(Locale.ROOT)
                        + "; the idempotency key must be a string or a number");
            }
            return checked(node.asText(), where);
        }

        @Override
        public String spec() {
            return "json:" + pointer;
        }
    }

    /** A key the source itself knows, such as an AMQP message's {@code message-id}. */
    record Native(String name) implements KeyRule {
        @Override
        public Found find(Message message) {
            return message.natives().apply(name).map(value -> checked(value, name))
                    .orElseGet(() -> new Found(null, "the message has no " + name + "; it carries the idempotency key"));
        }

        @Override
        public String spec() {
            return name;
        }
    }

    /**
     * Parses a rule; {@code natives} are the native key names the source offers. Throws {@link IllegalArgumentException} with a
     * reason meant for the user.
     */
    static KeyRule parse(String spec, Set<String> natives) {
        if (natives.contains(spec)) {
            return new Native(spec);
        }
        if (spec.startsWith("header:")) {
            String name = spec.substring("header:".length());
            if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                throw new IllegalArgumentException(HEADER_REASON);
            }
            return new Header(name);
        }
        if (spec.startsWith("json:")) {
            String pointer = spec.substring("json:".length());
            if (!pointer.startsWith("/") || pointer.length() < 2) {
                throw new IllegalArgumentException(POINTER_REASON);
            }
            try {
                return new Json(JsonPointer.compile(pointer));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(POINTER_REASON, e);
            }
        }
        throw new IllegalArgumentException(forms(natives));
    }

    /**
     * The config field of a source's key rule, with its check and description: {@code KeyRule.field("idempotency-key",
     * "message-id")}. Add a default or {@code required()} as the source needs.
     */
    static ConfigField field(String name, String... natives) {
        Set<String> nativeNames = Set.of(natives);
        ConfigField field = ConfigField.string(name)
                .description("Where each message's idempotency key is found: " + forms(nativeNames) + ". A message without a usable "
                        + "key (blank, over " + MAX_LENGTH + " characters, not printable ASCII) is refused visibly.")
                // one check per kind of mistake, so each is reported once and precisely
                .check((String spec) -> nativeNames.contains(spec) || spec.startsWith("header:") || spec.startsWith("json:"),
                        forms(nativeNames))
                .check((String spec) -> !spec.startsWith("header:") || isValid(spec, nativeNames), HEADER_REASON)
                .check((String spec) -> !spec.startsWith("json:") || isValid(spec, nativeNames), POINTER_REASON);
        for (String example : nativeNames.stream().sorted().toList()) {
            field = field.example(example);
        }
        return field.example("header:Idempotency-Key").example("json:/order/id");
    }

    private static boolean isValid(String spec, Set<String> natives) {
        try {
            parse(spec, natives);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The forms a source with these native keys accepts, as a reason: {@code must be message-id, header:<name> or ...}. */
    static String forms(Set<String> natives) {
        List<String> forms = new java.util.ArrayList<>(natives.stream().sorted().toList());
        forms.add("header:<name>");
        forms.add("json:<JSON pointer>");
        return "must be " + String.join(", ", forms.subList(0, forms.size() - 1)) + " or " + forms.get(forms.size() - 1);
    }

    /** {@code key} if it is usable, else why not; {@code where} names where it was found. */
    static Found checked(String key, String where) {
        if (key.isBlank()) {
            return new Found(null, "the idempotency key in " + where + " is blank");
        }
        if (key.length() > MAX_LENGTH) {
            return new Found(null, "the idempotency key in " + where + " is " + key.length() + " characters long; at most "
                    + MAX_LENGTH + " are allowed");
        }
        if (!key.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            return new Found(null, "the idempotency key in " + where + " contains characters other than printable ASCII");
        }
        return new Found(key, null);
    }
}
