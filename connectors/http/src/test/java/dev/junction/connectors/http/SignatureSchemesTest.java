package dev.junction.connectors.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.connectors.api.http.HttpIngressRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each webhook scheme against its provider's published vector (Standard Webhooks: the vector of its libraries' tests; GitHub:
 * the one in "Validating webhook deliveries"), and for Stripe and Shopify, whose docs publish the rule but no vector, values
 * computed outside Java with Python's hmac module; then the stale, future, tampered, re-serialised and rotated cases.
 */
class SignatureSchemesTest {
    // Standard Webhooks' published vector (standard-webhooks/standard-webhooks, libraries/*/ tests).
    static final String SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String SW_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    static final long SW_TS = 1614265330;
    static final String SW_BODY = "{\"test\": 2432232314}";
    static final String SW_SIG = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    // python3: hmac.new(b"whsec_test_secret_0123456789", b"1700000000." + body, sha256).hexdigest()
    static final String STRIPE_SECRET = "whsec_test_secret_0123456789";
    static final String STRIPE_BODY = "{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"charge.succeeded\"}";
    static final String STRIPE_SIG = "e689d5059d757ad52774af9f7334c9be727dd723734d5abd33c5ab04a58ac985";
    static final String OTHER_SECRET = "whsec_" + Base64.getEncoder().encodeToString("another-secret-of-32-bytes-long!".getBytes());

    private static HttpIngressRequest request(String body, String... headers) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < headers.length; i += 2) {
            map.put(headers[i].toLowerCase(java.util.Locale.ROOT), headers[i + 1]);
        }
        return new HttpIngressRequest("POST", "x", "application/json", map, body.getBytes(StandardCharsets.UTF_8));
    }

    private static HttpIngressRequest sw(String body, String sig) {
        return request(body, "webhook-id", SW_ID, "webhook-timestamp", Long.toString(SW_TS), "webhook-signature", sig);
    }

    @Test
    void standardWebhooksPublishedVector() {
        SignatureCheck check = SignatureSchemes.standardWebhooks(List.of(SW_SECRET), 300);
        assertNull(check.check(sw(SW_BODY, SW_SIG), SW_TS));
        // without the whsec_ prefix the secret is the same
        assertNull(SignatureSchemes.standardWebhooks(List.of(SW_SECRET.substring(6)), 300).check(sw(SW_BODY, SW_SIG), SW_TS));
        // Svix sends the same under svix-*
        assertNull(check.check(request(SW_BODY, "svix-id", SW_ID, "svix-timestamp", Long.toString(SW_TS), "svix-signature", SW_SIG), SW_TS));
        // our signer gives the published signature
        assertTrue(SignatureSchemes.standardWebhooksSignature(SW_SECRET, SW_ID, SW_TS, SW_BODY.getBytes()).equals(SW_SIG));
    }

    @Test
    void standardWebhooksSeveralSignaturesUnknownVersionsIgnored() {
        SignatureCheck check = SignatureSchemes.standardWebhooks(List.of(SW_SECRET), 300);
        String bogus = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";
        assertNull(check.check(sw(SW_BODY, bogus + " v2,abc " + SW_SIG + " " + bogus), SW_TS));
        // the right bytes under another version do not count
        assertNotNull(check.check(sw(SW_BODY, SW_SIG.replace("v1,", "v2,")), SW_TS));
        assertNotNull(check.check(sw(SW_BODY, SW_SIG.replace("v1,", "v1a,")), SW_TS));
        assertNotNull(check.check(sw(SW_BODY, "invalid_signature"), SW_TS));
    }

    @Test
    void standardWebhooksTimestampBothDirections() {
        SignatureCheck check = SignatureSchemes.standardWebhooks(List.of(SW_SECRET), 300);
        assertNull(check.check(sw(SW_BODY, SW_SIG), SW_TS + 300));
        assertNull(check.check(sw(SW_BODY, SW_SIG), SW_TS - 300));
        String stale = check.check(sw(SW_BODY, SW_SIG), SW_TS + 301);
        assertTrue(stale.contains("301 s old"), stale);
        String future = check.check(sw(SW_BODY, SW_SIG), SW_TS - 301);
        assertTrue(future.contains("301 s in the future"), future);
    }

    @Test
    void standardWebhooksTamperedReserialisedMissingAndRotated() {
        SignatureCheck check = SignatureSchemes.standardWebhooks(List.of(SW_SECRET), 300);
        assertTrue(check.check(sw("{\"test\": 2432232315}", SW_SIG), SW_TS).contains("no signature"));
        // the same JSON written without the space is other bytes: not the signed message
        assertNotNull(check.check(sw("{\"test\":2432232314}", SW_SIG), SW_TS));
        assertNotNull(check.check(request(SW_BODY, "webhook-id", "msg_other", "webhook-timestamp", Long.toString(SW_TS),
                "webhook-signature", SW_SIG), SW_TS), "the id is signed");
        assertTrue(check.check(request(SW_BODY, "webhook-timestamp", "1", "webhook-signature", SW_SIG), SW_TS).contains("missing header webhook-id"));
        assertTrue(check.check(request(SW_BODY, "webhook-id", SW_ID, "webhook-signature", SW_SIG), SW_TS).contains("webhook-timestamp"));
        assertTrue(check.check(request(SW_BODY, "webhook-id", SW_ID, "webhook-timestamp", "1"), SW_TS).contains("webhook-signature"));
        // rotation: old and new secrets both verify while both are configured; the new one alone refuses the old signature
        assertNull(SignatureSchemes.standardWebhooks(List.of(OTHER_SECRET, SW_SECRET), 300).check(sw(SW_BODY, SW_SIG), SW_TS));
        String refused = SignatureSchemes.standardWebhooks(List.of(OTHER_SECRET), 300).check(sw(SW_BODY, SW_SIG), SW_TS);
        assertNotNull(refused);
        assertFalse(refused.contains(OTHER_SECRET.substring(6)) || refused.contains(SW_SIG.substring(3)), "never echoes a secret: " + refused);
    }

    @Test
    void stripeRulesAndToleranceInThePastOnly() {
        SignatureCheck check = SignatureSchemes.stripe(List.of(STRIPE_SECRET), 300);
        long t = 1700000000;
        assertNull(check.check(request(STRIPE_BODY, "Stripe-Signature", "t=" + t + ",v1=" + STRIPE_SIG), t));
        assertNull(check.check(request(STRIPE_BODY, "Stripe-Signature", "t=" + t + ",v1=" + "00".repeat(32) + ",v1=" + STRIPE_SIG
                + ",v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39"), t), "several v1, v0 ignored");
        assertNotNull(check.check(request(STRIPE_BODY, "Stripe-Signature", "t=" + t + ",v0=" + STRIPE_SIG), t), "only v1 counts");
        assertTrue(check.check(request(STRIPE_BODY, "Stripe-Signature", "t=" + t + ",v1=" + STRIPE_SIG), t + 301).contains("s old"));
        assertNull(check.check(request(STRIPE_BODY, "Stripe-Signature", "t=" + t + ",v1=" + STRIPE_SIG), t - 3600),
                "Stripe's libraries do not refuse a timestamp ahead of the clock");
        assertNotNull(check.check(request(STRIPE_BODY.replace("succeeded", "failed"), "Stripe-Signature", "t=" + t + ",v1=" + STRIPE_SIG), t));
        assertNotNull(check.check(request(STRIPE_BODY, "Stripe-Signature", "t=" + (t + 1) + ",v1=" + STRIPE_SIG), t + 1), "t is signed");
        assertTrue(check.check(request(STRIPE_BODY), t).contains("missing header Stripe-Signature"));
        assertNull(SignatureSchemes.stripe(List.of("whsec_rotated_out_secret", STRIPE_SECRET), 300)
                .check(request(STRIPE_BODY, "Stripe-Signature", "t=" + t + ",v1=" + STRIPE_SIG), t));
    }

    @Test
    void githubPublishedVector() {
        SignatureCheck check = SignatureSchemes.github(List.of("It's a Secret to Everybody"));
        String sig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assertNull(check.check(request("Hello, World!", "X-Hub-Signature-256", sig), 0));
        assertNotNull(check.check(request("Hello, World?", "X-Hub-Signature-256", sig), 0));
        assertNotNull(check.check(request("Hello, World!", "X-Hub-Signature-256", sig.substring(7)), 0), "the sha256= prefix is required");
        assertTrue(check.check(request("Hello, World!"), 0).contains("missing header X-Hub-Signature-256"));
    }

    @Test
    void shopifyBase64OfTheBody() {
        // python3: base64(hmac.new(b"shpss_0123456789abcdef", body, sha256).digest())
        SignatureCheck check = SignatureSchemes.shopify(List.of("shpss_0123456789abcdef"));
        String body = "{\"id\":820982911946154508,\"email\":\"jon@example.com\"}";
        assertNull(check.check(request(body, "X-Shopify-Hmac-Sha256", "ne+Twf3BMrJ3AMcsdK/cwASHZl8vw1iJXvr4ORLXiaU="), 0));
        assertNotNull(check.check(request(body.replace("jon", "ann"), "X-Shopify-Hmac-Sha256", "ne+Twf3BMrJ3AMcsdK/cwASHZl8vw1iJXvr4ORLXiaU="), 0));
    }

    @Test
    void genericHmacBearerAndBasic() {
        SignatureCheck hmac = SignatureSchemes.hmac(List.of("generic-secret-123"), "X-Sig", "HmacSHA512", true, "", false);
        String sig = "vwf1hkAQoHZkzDS2dfIDPFeZN/cht0jlzJfoipPeSkCxCKccNFWTfhKDI98TbKuIBaHnIJMqvx5U+KUo2KpOJw==";
        assertNull(hmac.check(request("{\"a\":1}", "X-Sig", sig), 0));
        assertNotNull(hmac.check(request("{\"a\": 1}", "X-Sig", sig), 0));
        SignatureCheck bearer = SignatureSchemes.bearer(List.of("token-old-0001", "token-new-0002"));
        assertNull(bearer.check(request("{}", "Authorization", "Bearer token-new-0002"), 0));
        assertNull(bearer.check(request("{}", "Authorization", "Bearer token-old-0001"), 0));
        assertNotNull(bearer.check(request("{}", "Authorization", "Bearer token-new-0003"), 0));
        assertNotNull(bearer.check(request("{}"), 0));
        SignatureCheck basic = SignatureSchemes.basic(List.of("shop:pa55word!"));
        String ok = "Basic " + Base64.getEncoder().encodeToString("shop:pa55word!".getBytes());
        assertNull(basic.check(request("{}", "Authorization", ok), 0));
        assertNotNull(basic.check(request("{}", "Authorization", "Basic " + Base64.getEncoder().encodeToString("shop:wrong".getBytes())), 0));
    }
}
