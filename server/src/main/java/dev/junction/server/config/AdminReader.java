package dev.junction.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.junction.server.security.AdminSettings;
import dev.junction.server.security.AdminToken;
import dev.junction.server.security.Role;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads {@code junction.admin}: {@code tokens = [ { name, role, token } ]}, each token given by {@code token} (usually
 * {@code ${?ENV}}) or {@code token-file}. Problems name the setting, never the token's value.
 */
final class AdminReader {
    private static final Set<String> TOKEN_KEYS = Set.of("name", "role", "token", "token-file");

    private AdminReader() {}

    static AdminSettings read(Config junction, Path configDir, Problems problems) {
        List<AdminToken> tokens = new ArrayList<>();
        if (!junction.hasPath("admin")) {
            return new AdminSettings(tokens);
        }
        if (junction.getValue("admin").valueType() != ConfigValueType.OBJECT) {
            problems.at(junction, "admin", "junction.admin", "must be an object: { tokens = [ ... ] }");
            return new AdminSettings(tokens);
        }
        Config admin = junction.getConfig("admin");
        for (String key : admin.root().keySet()) {
            if (!key.equals("tokens")) {
                problems.at(admin, key, "junction.admin." + key, "unknown setting (known: tokens)");
            }
        }
        if (!admin.hasPath("tokens")) {
            return new AdminSettings(tokens);
        }
        if (admin.getValue("tokens").valueType() != ConfigValueType.LIST) {
            problems.at(admin, "tokens", "junction.admin.tokens", "must be a list of { name, role, token }");
            return new AdminSettings(tokens);
        }
        ConfigList list = admin.getList("tokens");
        Set<String> names = new HashSet<>();
        Set<String> hashes = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String path = "junction.admin.tokens." + i;
            ConfigValue value = list.get(i);
            if (value.valueType() != ConfigValueType.OBJECT) {
                problems.at(value, path, "must be an object { name, role, token }");
                continue;
            }
            Config entry = ((ConfigObject) value).toConfig();
            for (String key : entry.root().keySet()) {
                if (!TOKEN_KEYS.contains(key)) {
                    // located but not shown: a misspelt "tokn" would otherwise print the token
                    problems.missing(entry.getValue(key).origin(), path + "." + key, "unknown setting (known: name, role, token, token-file)");
                }
            }
            String name = entry.hasPath("name") ? entry.getValue("name").unwrapped().toString() : "";
            if (name.isBlank()) {
                problems.missing(value.origin(), path + ".name", "is required: the name the audit records as 'by'");
            } else if (!names.add(name)) {
                problems.at(entry, "name", path + ".name", "is used by another token");
            }
            Role role = entry.hasPath("role") ? Role.fromWire(entry.getValue("role").unwrapped().toString()) : null;
            if (role == null) {
                if (entry.hasPath("role")) {
                    problems.at(entry, "role", path + ".role", "must be viewer, operator or admin");
                } else {
                    problems.missing(value.origin(), path + ".role", "is required: viewer, operator or admin");
                }
            }
            String token = secret(entry, "token", path, configDir, value, problems);
            if (token != null && !name.isBlank() && role != null) {
                AdminToken parsed = AdminToken.of(name, role, token);
                if (!hashes.add(java.util.HexFormat.of().formatHex(parsed.sha256()))) {
                    problems.missing(value.origin(), path + ".token", "is the same as another token's: each token must be its own");
                } else {
                    tokens.add(parsed);
                }
            }
        }
        return new AdminSettings(tokens);
    }

    /**
     * A secret given as {@code <key>} or {@code <key>-file} (a path, relative to the configuration file, whose content with
     * surrounding whitespace trimmed is the secret); null with a problem that never contains the value.
     */
    static String secret(Config entry, String key, String path, Path configDir, ConfigValue block, Problems problems) {
        boolean inline = entry.hasPath(key);
        boolean file = entry.hasPath(key + "-file");
        if (inline && file) {
            problems.missing(block.origin(), path + "." + key, "give " + key + " or " + key + "-file, not both");
            return null;
        }
        if (file) {
            String name = entry.getValue(key + "-file").unwrapped().toString();
            Path secretFile = configDir.resolve(name).normalize();
            try {
                String text = Files.readString(secretFile, StandardCharsets.UTF_8).strip();
                if (text.length() < 16) {
                    problems.at(entry, key + "-file", path + "." + key + "-file", "must hold a secret of at least 16 characters");
                    return null;
                }
                return text;
            } catch (IOException e) {
                problems.at(entry, key + "-file", path + "." + key + "-file", "cannot be read (" + e.getClass().getSimpleName() + ")");
                return null;
            }
        }
        if (!inline) {
            problems.missing(block.origin(), path + "." + key, "is required (" + key + " = ${?SOME_ENV} or " + key
                    + "-file = \"/run/secrets/...\"); when it comes from an environment variable, that variable is not set");
            return null;
        }
        ConfigValue v = entry.getValue(key);
        String text = v.valueType() == ConfigValueType.STRING ? (String) v.unwrapped() : "";
        if (text.length() < 16) {
            // Never echo the value: a secret in the problem would land in the log.
            problems.missing(v.origin(), path + "." + key, "must be a string of at least 16 characters");
            return null;
        }
        return text;
    }
}
