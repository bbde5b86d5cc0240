package dev.junction.server.pipelinetest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Compares two JSON values structurally and names each difference by its JSON pointer ({@code /total: expected 52.0, got 51.0}).
 * Object members compare regardless of order; array elements by position; numbers by value ({@code 52} equals {@code 52.0}).
 */
final class JsonDiff {
    private static final int MAX_SHOWN = 120;

    private JsonDiff() {}

    /** Every difference, one line each; empty when the two are equal. */
    static List<String> diff(JsonNode expected, JsonNode actual) {
        List<String> lines = new ArrayList<>();
        diff("", expected, actual, lines);
        return lines;
    }

    private static void diff(String at, JsonNode expected, JsonNode actual, List<String> lines) {
        String where = at.isEmpty() ? "/" : at;
        if (expected.isObject() && actual.isObject()) {
            TreeSet<String> names = new TreeSet<>();
            expected.fieldNames().forEachRemaining(names::add);
            actual.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                String child = at + "/" + name.replace("~", "~0").replace("/", "~1");
                if (!actual.has(name)) {
                    lines.add(child + ": expected " + show(expected.get(name)) + ", got nothing (missing)");
                } else if (!expected.has(name)) {
                    lines.add(child + ": not expected, got " + show(actual.get(name)));
                } else {
                    diff(child, expected.get(name), actual.get(name), lines);
                }
            }
        } else if (expected.isArray() && actual.isArray()) {
            int common = Math.min(expected.size(), actual.size());
            for (int i = 0; i < common; i++) {
                diff(at + "/" + i, expected.get(i), actual.get(i), lines);
            }
            if (expected.size() != actual.size()) {
                lines.add(where + ": expected " + expected.size() + " elements, got " + actual.size());
                for (int i = common; i < expected.size(); i++) {
                    lines.add(at + "/" + i + ": expected " + show(expected.get(i)) + ", got nothing (missing)");
                }
                for (int i = common; i < actual.size(); i++) {
                    lines.add(at + "/" + i + ": not expected, got " + show(actual.get(i)));
                }
            }
        } else if (!equalScalars(expected, actual)) {
            lines.add(where + ": expected " + show(expected) + ", got " + show(actual));
        }
    }

    private static boolean equalScalars(JsonNode expected, JsonNode actual) {
        if (expected.isNumber() && actual.isNumber()) {
            return expected.decimalValue().compareTo(actual.decimalValue()) == 0;
        }
        return expected.equals(actual);
    }

    static String show(JsonNode value) {
        String text = value.toString();
        return text.length() > MAX_SHOWN ? text.substring(0, MAX_SHOWN - 3) + "..." : text;
    }
}
