package dev.junction.connectors.file;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a {@link FileTally.Verdict}: moves a finished file to {@code .done/}, a failed one to {@code .failed/} with a
 * {@code <name>.error.txt} beside it. Moves are atomic renames inside the polled directory, so a file is always in exactly one
 * place. A name already taken in the target folder gets a numbered suffix instead of overwriting an older file.
 *
 * <p>Stateless; {@link #settle} blocks on the file system, call it on the blocking executor. It never throws: a file it
 * cannot move stays where it is, is logged, and is taken again on a later poll (its messages come back as duplicates).
 */
final class FileMover {
    private static final Logger log = LoggerFactory.getLogger(FileMover.class);

    private final DirectorySettings settings;

    FileMover(DirectorySettings settings) {
        this.settings = settings;
    }

    void settle(FileTally.Verdict verdict) {
        Path file = verdict.file().path();
        try {
            switch (verdict.fate()) {
                case DONE -> move(file, settings.doneDirectory());
                case RETRY -> log.debug("{}: inbox unavailable, trying again on a later poll", file);
                case FAILED -> fail(file, verdict.reasons());
            }
        } catch (IOException e) {
            log.warn("{}: cannot move to its {} folder, will try again: {}", file, verdict.fate(), e.toString());
        }
    }

    private void fail(Path file, List<String> reasons) throws IOException {
        Path folder = settings.failedDirectory();
        Files.createDirectories(folder);
        Path target = freeName(folder, file.getFileName().toString());
        // the reasons go first, complete (written aside, then renamed): a file in .failed/ always has its whole error file
        Path errors = folder.resolve(target.getFileName() + ".error.txt");
        Path partial = Files.write(folder.resolve("." + errors.getFileName() + ".partial"), reasons, StandardCharsets.UTF_8);
        Files.move(partial, errors, StandardCopyOption.ATOMIC_MOVE);
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
        log.warn("{}: moved to {}, {} problem(s), first: {}", file, target, reasons.size(), reasons.get(0));
    }

    private static Path move(Path file, Path folder) throws IOException {
        Files.createDirectories(folder);
        return Files.move(file, freeName(folder, file.getFileName().toString()), StandardCopyOption.ATOMIC_MOVE);
    }

    /** {@code folder/name}, or {@code folder/name.1}, {@code .2} ... when taken. */
    private static Path freeName(Path folder, String name) {
        Path target = folder.resolve(name);
        for (int n = 1; Files.exists(target); n++) {
            target = folder.resolve(name + "." + n);
        }
        return target;
    }
}
