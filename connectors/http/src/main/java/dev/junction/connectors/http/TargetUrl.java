package dev.junction.connectors.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/** Resolves a target's {@code path} against its system's {@code base-url}; shared by validation and the sink. Stateless. */
final class TargetUrl {

    private TargetUrl() {}

    /** The system's {@code base-url}, when it has one. */
    static Optional<String> baseUrl(com.typesafe.config.Config systemConfig) {
        return systemConfig.hasPath("base-url") ? Optional.of(systemConfig.getString("base-url")) : Optional.empty();
    }

    /** True for {@code http://host...} and {@code https://host...} that {@link URI} accepts. */
    static boolean isAbsoluteHttpUrl(String text) {
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && !uri.getHost().isEmpty();
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** True when {@code path} names a scheme, so it does not need a base URL. */
    static boolean looksAbsolute(String path) {
        String lower = path.toLowerCase(Locale.ROOT);
        return lower.startsWith("http://") || lower.startsWith("https://");
    }

    /**
     * The URL a target posts to: {@code path} itself when absolute, else {@code baseUrl} joined with {@code path} by exactly
     * one slash. Throws {@link IllegalArgumentException} with a user-facing reason when that is impossible.
     */
    static String resolve(Optional<String> baseUrl, String path) {
        if (looksAbsolute(path)) {
            if (!isAbsoluteHttpUrl(path)) {
                throw new IllegalArgumentException("is not a valid absolute http or https URL");
            }
            return path;
        }
        String base = baseUrl.orElseThrow(() -> new IllegalArgumentException(
                "is a relative path but the system has no base-url; set base-url on the system or use an absolute URL"));
        String joined = stripTrailingSlash(base) + (path.startsWith("/") || path.isEmpty() ? path : "/" + path);
        if (!isAbsoluteHttpUrl(joined)) {
            throw new IllegalArgumentException("does not form a valid URL with base-url " + base);
        }
        return joined;
    }

    private static String stripTrailingSlash(String base) {
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }
}
