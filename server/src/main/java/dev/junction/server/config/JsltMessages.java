package dev.junction.server.config;

import com.schibsted.spt.data.jslt.JsltException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * JSLT's errors as one line with file, line and column. Its parser says {@code Encountered " "}" "} "" at line 3, column 1.}
 * and then lists every token it expected over many lines, which no one reads in a log or a problem document.
 */
public final class JsltMessages {
    private static final Pattern ENCOUNTERED = Pattern.compile("Parse error: Encountered \"(?: \"(.*?)\" \"[^\"]*\"|(<EOF>))\" at line (\\d+), column (\\d+)\\.");

    private JsltMessages() {}

    /** E.g. {@code unexpected '}' (mappings/order-to-erp.jslt, line 3, column 1)}. */
    public static String describe(JsltException e) {
        String message = e.getMessageWithoutLocation();
        String first = message == null ? e.getClass().getSimpleName() : message.lines().findFirst().orElse("").strip();
        Matcher parse = ENCOUNTERED.matcher(first);
        if (parse.find()) {
            String token = parse.group(2) != null ? "end of file" : "'" + parse.group(1) + "'";
            return "unexpected " + token + " (" + e.getSource() + ", line " + parse.group(3) + ", column " + parse.group(4) + ")";
        }
        return e.getLine() > 0 ? first + " (" + e.getSource() + ", line " + e.getLine() + ", column " + e.getColumn() + ")" : first;
    }
}
