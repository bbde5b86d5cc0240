package dev.junction.server.config;

import dev.junction.connectors.api.ConfigProblem;
import java.util.List;
import java.util.stream.Collectors;

/** The configuration has mistakes; {@link #problems()} lists every one found, not only the first. */
public final class InvalidConfigException extends Exception {
    private final List<ConfigProblem> problems;

    public InvalidConfigException(List<ConfigProblem> problems) {
        super(render(problems), null, false, false);
        this.problems = List.copyOf(problems);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }

    private static String render(List<ConfigProblem> problems) {
        return problems.size() + (problems.size() == 1 ? " problem" : " problems") + " in the configuration:\n"
                + problems.stream().map(p -> "  - " + p).collect(Collectors.joining("\n"));
    }
}
