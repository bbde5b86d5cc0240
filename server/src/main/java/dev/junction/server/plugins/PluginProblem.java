package dev.junction.server.plugins;

import java.util.List;

/** The plugins could not be loaded; each line names a plugin (its jar or folder) and what is wrong with it. */
public final class PluginProblem extends Exception {
    private final List<String> lines;

    PluginProblem(List<String> lines) {
        super(String.join("\n", lines));
        this.lines = List.copyOf(lines);
    }

    public List<String> lines() {
        return lines;
    }
}
