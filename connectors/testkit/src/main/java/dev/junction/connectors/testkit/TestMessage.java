package dev.junction.connectors.testkit;

/**
 * A message the kit asks a fixture to publish: a JSON body that holds {@code key} at {@code /id}, and the key again where the
 * source's configured rule finds it (a header, a message id): the fixture's settings decide which.
 */
public record TestMessage(String key, String json) {

    /** Message number {@code n} of a run: key {@code <prefix>-<n>}, body {@code {"id": key, "n": n}}. */
    public static TestMessage numbered(String prefix, int n) {
        String key = prefix + "-" + n;
        return new TestMessage(key, "{\"id\":\"" + key + "\",\"n\":" + n + "}");
    }
}
