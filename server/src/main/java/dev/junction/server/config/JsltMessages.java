package dev.junction.server.config;

import com.schibsted.spt.data.jslt.JsltException;

/** JSLT's errors as one line: its parser lists every token it expected over many lines, which no one reads in a log or a problem. */
public final class JsltMessages {
    private JsltMessages() {}

    /** The first line of the error, and where it is: {@code Encountered "<EOF>" at line 1, column 22 (mappings/x.jslt:1:21)}. */
    public static String describe(JsltException e) {
        String message = e.getMessageWithoutLocation();
        String first = message == null ? e.getClass().getSimpleName() : message.lines().findFirst().orElse("").strip();
        return e.getLine() > 0 ? first + " (" + e.getSource() + ":" + e.getLine() + ":" + e.getColumn() + ")" : first;
    }
}
