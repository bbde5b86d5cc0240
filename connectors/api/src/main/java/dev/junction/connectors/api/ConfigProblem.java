package dev.junction.connectors.api;

import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;

/**
 * One mistake in the configuration: where it is, what was there, and why it is wrong.
 *
 * @param file   the file the value came from (or the environment variable that set it), empty when unknown
 * @param line   the line in {@code file}, or -1
 * @param path   the full HOCON path ({@code junction.integrations.orders.source.webhook.path})
 * @param value  the offending value as written, or empty when missing
 * @param reason why it is wrong, as a sentence fragment a user can act on
 */
public record ConfigProblem(String file, int line, String path, String value, String reason) {

    /** A problem with a value that is present: file, line and value come from the value itself. */
    public static ConfigProblem of(ConfigValue value, String path, String reason) {
        ConfigOrigin origin = value.origin();
        String file = origin.filename() != null ? origin.filename()
                : origin.url() != null ? origin.url().toString() : origin.description();
        // A secret's value never appears in a problem: problems are printed and logged.
        return new ConfigProblem(file, origin.lineNumber(), path, Redaction.isSecretPath(path) ? Redaction.REDACTED : render(value), reason);
    }

    /** A problem with a missing value, located at the block that should hold it. */
    public static ConfigProblem missing(ConfigOrigin blockOrigin, String path, String reason) {
        String file = blockOrigin == null || blockOrigin.filename() == null ? "" : blockOrigin.filename();
        int line = blockOrigin == null ? -1 : blockOrigin.lineNumber();
        return new ConfigProblem(file, line, path, "", reason);
    }

    private static String render(ConfigValue value) {
        Object unwrapped = value.unwrapped();
        String text = unwrapped instanceof String s ? '"' + s + '"' : value.render(com.typesafe.config.ConfigRenderOptions.concise());
        return text.length() > 120 ? text.substring(0, 117) + "..." : text;
    }

    /** {@code file:line: path = value: reason}, the form the server prints. */
    @Override
    public String toString() {
        String where = file.isEmpty() ? "" : line > 0 ? file + ":" + line + ": " : file + ": ";
        String what = value.isEmpty() ? path : path + " = " + value;
        return where + what + ": " + reason;
    }
}
