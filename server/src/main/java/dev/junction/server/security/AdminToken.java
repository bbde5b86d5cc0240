package dev.junction.server.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * One admin API token: its name (the audit's {@code by}), its role, and the SHA-256 of its value. Only the hash is kept, so the
 * value is not in the heap for a dump to show, and comparing fixed-length hashes with {@link MessageDigest#isEqual} takes the
 * same time whatever the presented token is.
 */
public record AdminToken(String name, Role role, byte[] sha256) {

    public static AdminToken of(String name, Role role, String token) {
        return new AdminToken(name, role, sha256(token));
    }

    public static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Override
    public String toString() {
        return "AdminToken[" + name + ", " + role.wire() + "]";
    }
}
