package dev.junction.server.security;

import java.util.List;

/**
 * {@code junction.admin}: the tokens that may use the admin API. None: the admin API answers loopback clients only.
 */
public record AdminSettings(List<AdminToken> tokens) {
    public AdminSettings {
        tokens = List.copyOf(tokens);
    }

    public boolean loopbackOnly() {
        return tokens.isEmpty();
    }
}
