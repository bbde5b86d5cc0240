package dev.junction.server.masking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An integration's {@code mask = ["/customer/email", "/lines/*&#47;name"]}: JSON pointers into the message as its source sends
 * it, where {@code *} stands for every element of an array or every member of an object. What they point at is shown as
 * {@value #MARK}; a pointer that finds nothing masks nothing. Immutable and thread-safe.
 */
public final class Masking {
    /** What a masked value is shown as. */
    public static final String MARK = "***";
    public static final Masking NONE = new Masking(List.of());
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<String> pointers;
    private final List<List<String>> segments;

    private Masking(List<String> pointers) {
        this.pointers = List.copyOf(pointers);
        this.segments = this.pointers.stream().map(Masking::segments).toList();
    }

    /** The masking for {@code pointers}, each checked with {@link #problem} first. */
    public static Masking of(List<String> pointers) {
        return pointers.isEmpty() ? NONE : new Masking(pointers);
    }

    /** Why {@code pointer} is not a JSON pointer this masking takes, or null when it is one. */
    public static String problem(String pointer) {
        if (!pointer.startsWith("/") || pointer.length() < 2) {
            return "must be a JSON pointer to a field, such as /customer/email (the whole message cannot be masked)";
        }
        if (pointer.matches(".*~([^01].*|$)")) {
            return "'~' must be followed by 0 (for '~') or 1 (for '/') in a JSON pointer";
        }
        if (pointer.contains("//") || pointer.endsWith("/")) {
            return "has an empty segment";
        }
        return null;
    }

    public List<String> pointers() {
        return pointers;
    }

    /**
     * The masking of an element of a split ({@code split { items = ".lines" }}): an element is a message of its own, whose
     * fields sit below what the pointers name. Besides the pointers themselves, each pointer's part after any {@code *}
     * ({@code /lines/*&#47;name} also masks {@code /name}), so an element of {@code .lines} is masked as its line was. It may
     * mask more than the element needs, never less, when the split takes the array the wildcard stands for.
     */
    public Masking elements() {
        if (isEmpty()) {
            return this;
        }
        List<String> all = new ArrayList<>(pointers);
        for (List<String> path : segments) {
            for (int i = 0; i < path.size() - 1; i++) {
                if (path.get(i).equals("*")) {
                    all.add(pointer(path.subList(i + 1, path.size())));
                }
            }
        }
        return new Masking(all.stream().distinct().toList());
    }

    private static String pointer(List<String> segments) {
        StringBuilder text = new StringBuilder();
        segments.forEach(s -> text.append('/').append(s.replace("~", "~0").replace("/", "~1")));
        return text.toString();
    }

    public boolean isEmpty() {
        return pointers.isEmpty();
    }

    /** A copy of {@code document} with what the pointers find replaced by {@value #MARK}. */
    public JsonNode mask(JsonNode document) {
        JsonNode copy = document.deepCopy();
        for (List<String> path : segments) {
            mask(copy, path, 0);
        }
        return copy;
    }

    /**
     * The masked values of {@code document} as text: every scalar the pointers find, or that lies beneath what they find. The
     * {@link Redactor} hides them wherever they appear again (a mapping's output, an error's detail).
     */
    public Set<String> secrets(JsonNode document) {
        Set<String> found = new LinkedHashSet<>();
        for (List<String> path : segments) {
            List<JsonNode> at = new ArrayList<>();
            find(document, path, 0, at);
            at.forEach(node -> leaves(node, found));
        }
        return found;
    }

    /** The redactor of one message, from its raw original (bytes that are not JSON have no pointers to follow). */
    public Redactor redactor(byte[] raw) {
        if (isEmpty()) {
            return Redactor.NONE;
        }
        try {
            return redactor(JSON.readTree(raw));
        } catch (java.io.IOException e) {
            return new Redactor(this, null, Set.of());
        }
    }

    /** The redactor of one message whose raw original is the JSON {@code original} (null: not JSON). */
    public Redactor redactor(JsonNode original) {
        return isEmpty() ? Redactor.NONE : new Redactor(this, original, original == null ? Set.of() : secrets(original));
    }

    private static void mask(JsonNode node, List<String> path, int at) {
        if (node == null || at >= path.size()) {
            return;
        }
        String segment = path.get(at);
        boolean last = at == path.size() - 1;
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            if (segment.equals("*")) {
                object.fieldNames().forEachRemaining(names::add);
            } else if (object.has(segment)) {
                names.add(segment);
            }
            for (String name : names) {
                if (last) {
                    object.put(name, MARK);
                } else {
                    mask(object.get(name), path, at + 1);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i : indexes(array, segment)) {
                if (last) {
                    array.set(i, array.textNode(MARK));
                } else {
                    mask(array.get(i), path, at + 1);
                }
            }
        }
    }

    private static void find(JsonNode node, List<String> path, int at, List<JsonNode> found) {
        if (node == null) {
            return;
        }
        if (at == path.size()) {
            found.add(node);
            return;
        }
        String segment = path.get(at);
        if (node.isObject()) {
            if (segment.equals("*")) {
                node.elements().forEachRemaining(child -> find(child, path, at + 1, found));
            } else {
                find(node.get(segment), path, at + 1, found);
            }
        } else if (node.isArray()) {
            for (int i : indexes(node, segment)) {
                find(node.get(i), path, at + 1, found);
            }
        }
    }

    private static List<Integer> indexes(JsonNode array, String segment) {
        if (segment.equals("*")) {
            return java.util.stream.IntStream.range(0, array.size()).boxed().toList();
        }
        return segment.matches("0|[1-9][0-9]{0,8}") && Integer.parseInt(segment) < array.size()
                ? List.of(Integer.parseInt(segment)) : List.of();
    }

    private static void leaves(JsonNode node, Set<String> found) {
        if (node.isContainerNode()) {
            node.elements().forEachRemaining(child -> leaves(child, found));
        } else if (!node.isNull() && !node.isBoolean() && !node.asText().isEmpty()) {
            found.add(node.asText());
        }
    }

    private static List<String> segments(String pointer) {
        List<String> result = new ArrayList<>();
        for (String raw : pointer.substring(1).split("/", -1)) {
            result.add(raw.replace("~1", "/").replace("~0", "~"));
        }
        return List.copyOf(result);
    }
}
