package dev.junction.connectors.http;

import com.typesafe.config.Config;
import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigProblem;
import dev.junction.connectors.api.ConfigSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A webhook's {@code verify { scheme, secrets | secret-file, tolerance, … }} block: its spec, its checks across settings, and
 * the {@link SignatureCheck} it builds. Problems name settings, never secret values.
 */
final class WebhookVerification {
    static final List<String> SCHEMES = List.of("standard-webhooks", "github", "stripe", "shopify", "hmac", "bearer", "basic");
    private static final List<String> HMAC_ONLY = List.of("header", "algorithm", "encoding", "prefix", "secret-encoding");

    static final ConfigSpec SPEC = ConfigSpec.of("Proves who sent each request, over the raw body, before it is parsed or stored.",
            ConfigField.oneOf("scheme", SCHEMES.toArray(String[]::new)).required()
                    .description("standard-webhooks (also svix-* headers), github (X-Hub-Signature-256), stripe (Stripe-Signature), "
                            + "shopify (X-Shopify-Hmac-Sha256), hmac (a header of your choice), bearer or basic (a shared token)."),
            ConfigField.stringList("secrets")
                    .description("The accepted secrets; several while one is being rotated. Use ${?ENV} substitutions, never literals. "
                            + "basic: each written user:password."),
            ConfigField.string("secret-file")
                    .description("A file holding the secrets, one per line (e.g. /run/secrets/shop-webhook); instead of secrets."),
            ConfigField.duration("tolerance").defaultValue("5m")
                    .check((java.time.Duration d) -> !d.isNegative() && !d.isZero(), "must be positive")
                    .description("How far a signed timestamp may be from now: standard-webhooks refuses older and newer, stripe "
                            + "older only, as their libraries do. The others carry no timestamp."),
            ConfigField.string("header").description("hmac: the header holding the signature."),
            ConfigField.oneOf("algorithm", "sha256", "sha1", "sha512").description("hmac: the HMAC's hash; default sha256."),
            ConfigField.oneOf("encoding", "hex", "base64").description("hmac: how the signature is written; default hex."),
            ConfigField.string("prefix").description("hmac: text before the signature in the header, e.g. sha256=; default none."),
            ConfigField.oneOf("secret-encoding", "utf-8", "base64").description("hmac: how the secrets are written; default utf-8."));

    private WebhookVerification() {}

    /** The checks across settings; {@code path} is the verify block's full path. */
    static List<ConfigProblem> validate(Config verify, String path) {
        List<ConfigProblem> problems = new ArrayList<>();
        String scheme = verify.getString("scheme");
        boolean listed = verify.hasPath("secrets");
        boolean file = verify.hasPath("secret-file");
        if (listed == file) {
            problems.add(ConfigProblem.missing(verify.origin(), path + ".secrets", listed
                    ? "give secrets or secret-file, not both"
                    : "is required (secrets = [ ${?MY_WEBHOOK_SECRET} ] or secret-file = \"/run/secrets/...\"); when it comes from "
                      + "an environment variable, that variable is not set"));
            return problems;
        }
        List<String> secrets;
        try {
            secrets = secrets(verify);
        } catch (IOException e) {
            problems.add(ConfigProblem.of(verify.getValue("secret-file"), path + ".secret-file", "cannot be read ("
                    + e.getClass().getSimpleName() + ")"));
            return problems;
        }
        if (secrets.isEmpty()) {
            problems.add(ConfigProblem.missing(verify.origin(), path + ".secrets", "holds no secret (an unset ${?ENV} leaves the list empty)"));
        }
        boolean base64Secret = scheme.equals("hmac") && verify.hasPath("secret-encoding") && verify.getString("secret-encoding").equals("base64");
        for (int i = 0; i < secrets.size(); i++) {
            String secret = secrets.get(i);
            String where = path + (listed ? ".secrets." + i : ".secret-file line " + (i + 1));
            if (!SignatureSchemes.decodes(scheme, secret, base64Secret)) {
                problems.add(ConfigProblem.missing(verify.origin(), where, scheme.equals("standard-webhooks")
                        ? "is not a Standard Webhooks secret (whsec_ followed by base64)" : "is not valid base64"));
            } else if (secret.length() < 8) {
                problems.add(ConfigProblem.missing(verify.origin(), where, "is shorter than 8 characters"));
            } else if (scheme.equals("basic") && !secret.contains(":")) {
                problems.add(ConfigProblem.missing(verify.origin(), where, "must be written user:password"));
            }
        }
        if (scheme.equals("hmac") && !verify.hasPath("header")) {
            problems.add(ConfigProblem.missing(verify.origin(), path + ".header", "is required with scheme = hmac"));
        }
        if (!scheme.equals("hmac")) {
            for (String key : HMAC_ONLY) {
                if (verify.hasPath(key)) {
                    problems.add(ConfigProblem.of(verify.getValue(key), path + "." + key, "applies to scheme = hmac only"));
                }
            }
        }
        return problems;
    }

    /** The check a validated block describes. */
    static SignatureCheck build(Config verify) {
        List<String> secrets;
        try {
            secrets = secrets(verify);
        } catch (IOException e) {
            throw new IllegalStateException("the secret file became unreadable after validation", e);
        }
        long tolerance = verify.getDuration("tolerance").toSeconds();
        return switch (verify.getString("scheme")) {
            case "standard-webhooks" -> SignatureSchemes.standardWebhooks(secrets, tolerance);
            case "stripe" -> SignatureSchemes.stripe(secrets, tolerance);
            case "github" -> SignatureSchemes.github(secrets);
            case "shopify" -> SignatureSchemes.shopify(secrets);
            case "bearer" -> SignatureSchemes.bearer(secrets);
            case "basic" -> SignatureSchemes.basic(secrets);
            case "hmac" -> SignatureSchemes.hmac(secrets, verify.getString("header"),
                    switch (opt(verify, "algorithm", "sha256")) {
                        case "sha1" -> "HmacSHA1";
                        case "sha512" -> "HmacSHA512";
                        default -> "HmacSHA256";
                    },
                    opt(verify, "encoding", "hex").equals("base64"), opt(verify, "prefix", ""),
                    opt(verify, "secret-encoding", "utf-8").equals("base64"));
            default -> throw new IllegalArgumentException("unknown scheme");
        };
    }

    private static String opt(Config c, String key, String fallback) {
        return c.hasPath(key) ? c.getString(key) : fallback;
    }

    private static List<String> secrets(Config verify) throws IOException {
        if (verify.hasPath("secrets")) {
            return verify.getStringList("secrets").stream().filter(s -> !s.isBlank()).toList();
        }
        return Files.readAllLines(Path.of(verify.getString("secret-file")), StandardCharsets.UTF_8).stream()
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
