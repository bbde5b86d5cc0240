package dev.junction.server.security;

import java.util.Locale;

/** What an admin token may do; each role includes the ones before it. */
public enum Role {
    /** Reads everything. */
    VIEWER,
    /** Also replays, discards, reprocesses and reloads. */
    OPERATOR,
    /** Also replaces the configuration. */
    ADMIN;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean covers(Role needed) {
        return compareTo(needed) >= 0;
    }

    /** The role named {@code text}, or null. */
    public static Role fromWire(String text) {
        for (Role role : values()) {
            if (role.wire().equals(text)) {
                return role;
            }
        }
        return null;
    }
}
