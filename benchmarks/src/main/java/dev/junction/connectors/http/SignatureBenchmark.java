package dev.junction.connectors.http;

import dev.junction.connectors.api.http.HttpIngressRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cost of proving a webhook's sender, per request, as the webhook pays it (before parsing): Standard Webhooks with one
 * secret and with two (a rotation), a request that fails, GitHub and Stripe. In this package because the schemes are the
 * connector's own (package-private) classes. {@code benchmarks/run.sh -f 1 -wi 3 -i 5 SignatureBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SignatureBenchmark {
    @Param({"1024", "65536"})
    int bodyBytes;

    private static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString("benchmark-secret-of-32-bytes-ok!".getBytes());
    private static final String OLD = "whsec_" + Base64.getEncoder().encodeToString("the-previous-secret-32-bytes-ok!".getBytes());
    private final long now = 1_700_000_000L;
    private SignatureCheck one;
    private SignatureCheck rotating;
    private SignatureCheck github;
    private SignatureCheck stripe;
    private HttpIngressRequest signed;
    private HttpIngressRequest forged;
    private HttpIngressRequest githubSigned;
    private HttpIngressRequest stripeSigned;

    @Setup
    public void setUp() {
        byte[] body = ("{\"pad\":\"" + "x".repeat(Math.max(0, bodyBytes - 10)) + "\"}").getBytes(StandardCharsets.UTF_8);
        one = SignatureSchemes.standardWebhooks(List.of(SECRET), 300);
        rotating = SignatureSchemes.standardWebhooks(List.of(OLD, SECRET), 300);
        github = SignatureSchemes.github(List.of("github-secret"));
        stripe = SignatureSchemes.stripe(List.of("whsec_stripe"), 300);
        String sig = SignatureSchemes.standardWebhooksSignature(SECRET, "msg_1", now, body);
        signed = new HttpIngressRequest("POST", "x", "application/json",
                Map.of("webhook-id", "msg_1", "webhook-timestamp", Long.toString(now), "webhook-signature", sig), body);
        forged = new HttpIngressRequest("POST", "x", "application/json",
                Map.of("webhook-id", "msg_1", "webhook-timestamp", Long.toString(now), "webhook-signature", "v1," + "A".repeat(43) + "="), body);
        String hex = java.util.HexFormat.of().formatHex(SignatureSchemes.mac("HmacSHA256", "github-secret".getBytes(), body));
        githubSigned = new HttpIngressRequest("POST", "x", "application/json", Map.of("x-hub-signature-256", "sha256=" + hex), body);
        byte[] stripeSigned2 = new byte[body.length + 11];
        System.arraycopy((now + ".").getBytes(), 0, stripeSigned2, 0, 11);
        System.arraycopy(body, 0, stripeSigned2, 11, body.length);
        String s = java.util.HexFormat.of().formatHex(SignatureSchemes.mac("HmacSHA256", "whsec_stripe".getBytes(), stripeSigned2));
        stripeSigned = new HttpIngressRequest("POST", "x", "application/json", Map.of("stripe-signature", "t=" + now + ",v1=" + s), body);
        if (one.check(signed, now) != null || rotating.check(signed, now) != null || one.check(forged, now) == null
                || github.check(githubSigned, now) != null || stripe.check(stripeSigned, now) != null) {
            throw new IllegalStateException("the benchmark's requests are not what they claim");
        }
    }

    @Benchmark
    public String standardWebhooksOneSecret() {
        return one.check(signed, now);
    }

    @Benchmark
    public String standardWebhooksTwoSecrets() {
        return rotating.check(signed, now);
    }

    @Benchmark
    public String standardWebhooksForged() {
        return one.check(forged, now);
    }

    @Benchmark
    public String githubSha256() {
        return github.check(githubSigned, now);
    }

    @Benchmark
    public String stripeV1() {
        return stripe.check(stripeSigned, now);
    }
}
