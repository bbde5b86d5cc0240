package dev.junction.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With no admin tokens, the server listening on every interface answers the admin API on loopback only; webhooks still
 * answer everyone (the quickstart keeps working unchanged).
 */
class LoopbackOnlyTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void adminApiAnswersLoopbackOnlyWhenNoTokensAreConfigured() throws Exception {
        Optional<InetAddress> external = externalAddress();
        Assumptions.assumeTrue(external.isPresent(), "this machine has no non-loopback IPv4 address");
        String config = TestConfig.webhookToHttp("http://127.0.0.1:9", "").replace("http.port = 0", "http { port = 0, interface = \"0.0.0.0\" }");
        try (RunningServer server = RunningServer.start(TestConfig.write(dir, config), dir.resolve("data"), Map.of())) {
            int port = URI.create(server.url("/")).getPort();
            String outside = "http://" + external.get().getHostAddress() + ":" + port;
            HttpResponse<String> refused = get(outside + "/api/v1/systems");
            assertEquals(403, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("loopback clients only"), refused.body());
            assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElse(""));
            assertEquals(200, get(server.url("/api/v1/systems")).statusCode(), "loopback is answered");
            HttpResponse<String> webhook = CLIENT.send(HttpRequest.newBuilder(URI.create(outside + "/webhooks/webshop/orders"))
                    .header("Content-Type", "application/json").header("Idempotency-Key", "outside-1")
                    .POST(HttpRequest.BodyPublishers.ofString(TestConfig.order("SO-1"))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, webhook.statusCode(), webhook.body());
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Optional<InetAddress> externalAddress() throws Exception {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address) {
                        return Optional.of(address);
                    }
                }
            }
        }
        return Optional.empty();
    }
}
