package dev.junction.connectors.api;

import java.util.Locale;
import java.util.Set;

/**
 * The one rule for what is a secret by its name: headers kept with a message ({@link InboundMessage} redacts them before the
 * envelope is written) and configuration keys (a {@link ConfigProblem} about one never shows its value).
 */
public final class Redaction {
    /** What a secret's value is replaced with. */
    public static final String REDACTED = "<redacted>";
    private static final Set<String> HEADERS = Set.of("authorization", "proxy-authorization", "cookie", "set-cookie");
    private static final Set<String> KEYS = Set.of("token", "secret", "secrets", "password", "client-secret", "bearer", "api-key");

    private Redaction() {}

    /** Whether a header's value is a credential or a signature: Authorization, Cookie, *-signature*, *token*, *secret*, *api-key*. */
    public static boolean isSecretHeader(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return HEADERS.contains(n) || n.contains("signature") || n.contains("hmac") || n.contains("token") || n.contains("secret")
                || n.contains("password") || n.contains("api-key") || n.contains("apikey");
    }

    /** Whether a configuration key (the last element of its path) names a secret. */
    public static boolean isSecretKey(String key) {
        return KEYS.contains(key.toLowerCase(Locale.ROOT).replace("\"", ""));
    }

    /** Whether the configuration path's last element names a secret, or it is an element of such a list ({@code secrets.0}). */
    public static boolean isSecretPath(String path) {
        if (path.endsWith("auth.header.value")) {
            return true; // an API key sent in a header of the system's choosing
        }
        String[] parts = path.split("\\.");
        for (int i = parts.length - 1; i >= 0 && i >= parts.length - 2; i--) {
            if (isSecretKey(parts[i])) {
                return true;
            }
        }
        return false;
    }
}
