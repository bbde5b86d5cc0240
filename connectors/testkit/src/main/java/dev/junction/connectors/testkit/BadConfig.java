package dev.junction.connectors.testkit;

/**
 * A block the connector must refuse, and how: a problem at {@code path} whose reason contains {@code reason}.
 *
 * @param block  which spec checks it: {@code system}, {@code source:<kind>} or {@code target}
 * @param hocon  the block's content
 * @param path   the path the problem must name, below the block ({@code uri}, {@code declare.queue})
 * @param reason a part of the reason the problem must give
 */
public record BadConfig(String block, String hocon, String path, String reason) {

    public static BadConfig system(String hocon, String path, String reason) {
        return new BadConfig("system", hocon, path, reason);
    }

    public static BadConfig source(String kind, String hocon, String path, String reason) {
        return new BadConfig("source:" + kind, hocon, path, reason);
    }

    public static BadConfig target(String hocon, String path, String reason) {
        return new BadConfig("target", hocon, path, reason);
    }
}
