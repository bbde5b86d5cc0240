package dev.junction.connectors.http;

import dev.junction.connectors.api.http.HttpIngressRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The webhook signature schemes, each following its provider's published rules: what is signed, how the secret is decoded,
 * which timestamp tolerance applies and in which direction, several signatures per header, unknown versions ignored. Every
 * comparison is over bytes in constant time ({@link MessageDigest#isEqual}); every secret is tried, so a rotated secret and the
 * new one both verify during the overlap.
 */
final class SignatureSchemes {
    private SignatureSchemes() {}

    /**
     * Standard Webhooks (standardwebhooks.com; Svix sends the same under {@code svix-*}): HMAC-SHA256 over
     * {@code <webhook-id>.<webhook-timestamp>.<body>} with the secret base64-decoded after its {@code whsec_} prefix; the
     * header holds space-separated {@code v1,<base64>} signatures (other versions, such as the asymmetric {@code v1a}, are
     * ignored); the timestamp may be neither older nor newer than the tolerance.
     */
    static SignatureCheck standardWebhooks(List<String> secrets, long toleranceSeconds) {
        List<byte[]> keys = secrets.stream().map(SignatureSchemes::standardWebhooksKey).toList();
        return (request, now) -> {
            String prefix = request.header("webhook-id").isPresent() || request.header("svix-id").isEmpty() ? "webhook-" : "svix-";
            Optional<String> id = request.header(prefix + "id");
            Optional<String> timestamp = request.header(prefix + "timestamp");
            Optional<String> signatures = request.header(prefix + "signature");
            for (var header : List.of(java.util.Map.entry("id", id), java.util.Map.entry("timestamp", timestamp),
                    java.util.Map.entry("signature", signatures))) {
                if (header.getValue().isEmpty() || header.getValue().get().isBlank()) {
                    return "missing header " + prefix + header.getKey();
                }
            }
            String stale = timestampProblem(prefix + "timestamp", timestamp.get(), now, toleranceSeconds, true);
            if (stale != null) {
                return stale;
            }
            List<byte[]> candidates = new ArrayList<>();
            for (String part : signatures.get().trim().split(" +")) {
                int comma = part.indexOf(',');
                if (comma > 0 && part.substring(0, comma).equals("v1")) {
                    byte[] decoded = base64(part.substring(comma + 1));
                    if (decoded != null) {
                        candidates.add(decoded);
                    }
                }
            }
            if (candidates.isEmpty()) {
                return "no v1 signature in " + prefix + "signature (other versions are not checked)";
            }
            byte[] signed = concat((id.get() + "." + timestamp.get().trim() + ".").getBytes(StandardCharsets.UTF_8), request.body());
            return anyMatches(keys, "HmacSHA256", signed, candidates) ? null
                    : "no signature in " + prefix + "signature matches (" + candidates.size() + " v1 signature(s) checked)";
        };
    }

    /**
     * Stripe: {@code Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…][,v0=…]}, HMAC-SHA256 over
     * {@code <t>.<body>} with the secret as given ({@code whsec_…}, not decoded); only {@code v1} counts. Stripe's libraries
     * refuse a timestamp older than the tolerance (300 s by default) and do not refuse one in the future: so does this.
     */
    static SignatureCheck stripe(List<String> secrets, long toleranceSeconds) {
        List<byte[]> keys = secrets.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
        return (request, now) -> {
            Optional<String> header = request.header("stripe-signature");
            if (header.isEmpty() || header.get().isBlank()) {
                return "missing header Stripe-Signature";
            }
            String t = null;
            List<byte[]> candidates = new ArrayList<>();
            for (String item : header.get().split(",")) {
                int eq = item.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String key = item.substring(0, eq).trim();
                String value = item.substring(eq + 1).trim();
                if (key.equals("t")) {
                    t = value;
                } else if (key.equals("v1")) {
                    byte[] decoded = hex(value);
                    if (decoded != null) {
                        candidates.add(decoded);
                    }
                }
            }
            if (t == null) {
                return "Stripe-Signature has no timestamp (t=)";
            }
            if (candidates.isEmpty()) {
                return "Stripe-Signature has no v1 signature";
            }
            String stale = timestampProblem("Stripe-Signature t", t, now, toleranceSeconds, false);
            if (stale != null) {
                return stale;
            }
            byte[] signed = concat((t + ".").getBytes(StandardCharsets.UTF_8), request.body());
            return anyMatches(keys, "HmacSHA256", signed, candidates) ? null
                    : "no signature in Stripe-Signature matches (" + candidates.size() + " v1 signature(s) checked)";
        };
    }

    /** GitHub: {@code X-Hub-Signature-256: sha256=<hex>}, HMAC-SHA256 of the body with the secret as UTF-8. No timestamp. */
    static SignatureCheck github(List<String> secrets) {
        return hmac(secrets, "X-Hub-Signature-256", "HmacSHA256", false, "sha256=", false);
    }

    /** Shopify: {@code X-Shopify-Hmac-Sha256: <base64>}, HMAC-SHA256 of the body with the app's secret as UTF-8. No timestamp. */
    static SignatureCheck shopify(List<String> secrets) {
        return hmac(secrets, "X-Shopify-Hmac-Sha256", "HmacSHA256", true, "", false);
    }

    /** A generic HMAC of the body in one header: hex or base64, after an optional prefix; secrets as UTF-8 or base64. */
    static SignatureCheck hmac(List<String> secrets, String header, String algorithm, boolean base64, String prefix, boolean base64Secret) {
        List<byte[]> keys = secrets.stream().map(s -> base64Secret ? Base64.getDecoder().decode(s.trim())
                : s.getBytes(StandardCharsets.UTF_8)).toList();
        return (request, now) -> {
            Optional<String> value = request.header(header);
            if (value.isEmpty() || value.get().isBlank()) {
                return "missing header " + header;
            }
            String text = value.get().trim();
            if (!text.regionMatches(true, 0, prefix, 0, prefix.length())) {
                return header + " does not start with " + prefix;
            }
            text = text.substring(prefix.length());
            byte[] presented = base64 ? base64(text) : hex(text);
            if (presented == null) {
                return header + " is not " + (base64 ? "base64" : "hexadecimal");
            }
            return anyMatches(keys, algorithm, request.body(), List.of(presented)) ? null : "the signature in " + header + " does not match";
        };
    }

    /** {@code Authorization: Bearer <token>}, the token one of the secrets. */
    static SignatureCheck bearer(List<String> secrets) {
        List<byte[]> hashes = secrets.stream().map(SignatureSchemes::sha256).toList();
        return (request, now) -> {
            Optional<String> value = request.header("authorization");
            if (value.isEmpty() || !value.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
                return "missing header Authorization: Bearer <token>";
            }
            return anyEqual(hashes, sha256(value.get().substring(7).trim())) ? null : "the bearer token is not accepted";
        };
    }

    /** {@code Authorization: Basic base64(user:password)}, each secret written {@code user:password}. */
    static SignatureCheck basic(List<String> secrets) {
        List<byte[]> hashes = secrets.stream().map(SignatureSchemes::sha256).toList();
        return (request, now) -> {
            Optional<String> value = request.header("authorization");
            if (value.isEmpty() || !value.get().regionMatches(true, 0, "Basic ", 0, 6)) {
                return "missing header Authorization: Basic <credentials>";
            }
            byte[] decoded = base64(value.get().substring(6).trim());
            if (decoded == null) {
                return "the Basic credentials are not base64";
            }
            return anyEqual(hashes, sha256(new String(decoded, StandardCharsets.UTF_8))) ? null : "the user or password is not accepted";
        };
    }

    /** Why {@code value} is not a timestamp within {@code tolerance} of now; {@code future} also refuses one ahead of now. */
    static String timestampProblem(String what, String value, long now, long tolerance, boolean future) {
        long seconds;
        try {
            seconds = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return what + " is not a Unix time in seconds";
        }
        if (now - seconds > tolerance) {
            return "the timestamp (" + what + ") is " + (now - seconds) + " s old; this webhook accepts at most " + tolerance + " s";
        }
        if (future && seconds - now > tolerance) {
            return "the timestamp (" + what + ") is " + (seconds - now) + " s in the future; this webhook accepts at most " + tolerance + " s";
        }
        return null;
    }

    /** Computes the MAC with each key and compares it with each candidate, all of them, in constant time per comparison. */
    private static boolean anyMatches(List<byte[]> keys, String algorithm, byte[] signed, List<byte[]> candidates) {
        boolean found = false;
        for (byte[] key : keys) {
            byte[] expected = mac(algorithm, key, signed);
            found |= anyEqual(candidates, expected);
        }
        return found;
    }

    private static boolean anyEqual(List<byte[]> candidates, byte[] expected) {
        boolean found = false;
        for (byte[] candidate : candidates) {
            found |= MessageDigest.isEqual(candidate, expected);
        }
        return found;
    }

    static byte[] mac(String algorithm, byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is part of every JDK", e);
        }
    }

    /** The key of a Standard Webhooks secret: base64 after an optional {@code whsec_} prefix. */
    static byte[] standardWebhooksKey(String secret) {
        String s = secret.trim();
        return Base64.getDecoder().decode(s.startsWith("whsec_") ? s.substring("whsec_".length()) : s);
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static byte[] base64(String text) {
        try {
            return Base64.getDecoder().decode(text.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] hex(String text) {
        try {
            return HexFormat.of().parseHex(text.trim().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Whether {@code secret} decodes as the scheme needs; never says why in terms of the value. */
    static boolean decodes(String scheme, String secret, boolean base64Secret) {
        try {
            if (scheme.equals("standard-webhooks")) {
                return standardWebhooksKey(secret).length > 0;
            }
            if (base64Secret) {
                return Base64.getDecoder().decode(secret.trim()).length > 0;
            }
            return !secret.isEmpty();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** For {@link HttpIngressRequest}-free callers (signing outbound calls): the Standard Webhooks signature header value. */
    static String standardWebhooksSignature(String secret, String id, long timestamp, byte[] body) {
        byte[] signed = concat((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8), body);
        return "v1," + Base64.getEncoder().encodeToString(mac("HmacSHA256", standardWebhooksKey(secret), signed));
    }
}
