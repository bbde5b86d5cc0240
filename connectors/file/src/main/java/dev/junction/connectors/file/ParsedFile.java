package dev.junction.connectors.file;

import dev.junction.connectors.api.InboundMessage;
import java.nio.file.Path;
import java.util.List;

/**
 * One file of the polled directory, read whole: the messages in it, or every reason it cannot be taken. A file with
 * problems is never ingested in part; it goes to {@code .failed/} whole, so fixing it and dropping it back is the only
 * repair an operator needs to know. Immutable.
 *
 * @param path     the file as listed
 * @param messages its messages in file order, empty when it has problems (or is an empty JSON Lines file)
 * @param problems what is wrong, one sentence each, with line and column; empty when the file is good
 */
record ParsedFile(Path path, List<Line> messages, List<String> problems) {

    /** One message and the line it started on (1 for a whole-file message). */
    record Line(int number, InboundMessage message) {}

    ParsedFile {
        messages = List.copyOf(messages);
        problems = List.copyOf(problems);
    }

    static ParsedFile good(Path path, List<Line> messages) {
        return new ParsedFile(path, messages, List.of());
    }

    static ParsedFile malformed(Path path, List<String> problems) {
        return new ParsedFile(path, List.of(), problems);
    }

    boolean isMalformed() {
        return !problems.isEmpty();
    }

    String fileName() {
        return path.getFileName().toString();
    }
}
