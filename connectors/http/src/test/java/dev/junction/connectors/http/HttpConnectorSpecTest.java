package dev.junction.connectors.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigProblem;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.KeyRule;
import dev.junction.connectors.api.Connector;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HttpConnectorSpecTest {
    private final Connector connector = ServiceLoader.load(Connector.class).stream().map(ServiceLoader.Provider::get)
            .filter(c -> c.name().equals("http")).findFirst().orElseThrow();
    private final ConfigSpec webhook = connector.sources().get("webhook").spec();
    private final ConfigSpec sink = connector.sink().orElseThrow().spec();

    @Test
    void serviceLoaderFindsTheConnectorWithItsSourcesAndSink() {
        assertEquals(Set.of("webhook", "poll", "batch"), connector.sources().keySet());
        assertTrue(connector.sink().isPresent());
    }

    @Test
    void everyFieldHasADescriptionAndAnExample() {
        for (ConfigSpec spec : List.of(connector.systemSpec(), webhook, sink)) {
            for (ConfigField field : spec.fields()) {
                assertTrue(!field.description().isBlank() && !field.examples().isEmpty(), field.name());
            }
        }
    }

    @Test
    void webhookWithoutPathIsReported() {
        List<ConfigProblem> problems = problems(webhook, "idempotency-key = \"header:Idempotency-Key\"");
        assertEquals(1, problems.size(), problems::toString);
        assertEquals("source.webhook.path", problems.get(0).path());
        assertTrue(problems.get(0).reason().startsWith("is required"));
    }

    @Test
    void webhookClaimsItsPathSoTwoIntegrationsCannotShareIt() {
        var factory = connector.sources().get("webhook");
        assertEquals(Set.of("webhook path webshop/orders"),
                factory.claims(ConfigFactory.empty(), ConfigFactory.parseString("path = webshop/orders")));
        assertEquals(Set.of(), factory.claims(ConfigFactory.empty(), ConfigFactory.empty()));
    }

    @Test
    void badWebhookPathsAreReportedOnceEach() {
        for (String path : List.of("/orders", "orders/", "a/../b", "a//b", "a/./b", "a b", "..", "")) {
            List<ConfigProblem> problems = problems(webhook, "path = \"" + path + "\"");
            assertEquals(1, problems.size(), () -> path + ": " + problems);
        }
        assertEquals(List.of(), problems(webhook, "path = \"shop-1/orders_v2.json\""));
    }

    @Test
    void badIdempotencyKeyFormsAreReportedWithTheirReason() {
        assertReason(webhook, "path = a, idempotency-key = \"cookie:id\"", KeyRule.forms(java.util.Set.of()));
        assertReason(webhook, "path = a, idempotency-key = \"Idempotency-Key\"", KeyRule.forms(java.util.Set.of()));
        assertReason(webhook, "path = a, idempotency-key = \"header:\"", KeyRule.HEADER_REASON);
        assertReason(webhook, "path = a, idempotency-key = \"header:Bad Header\"", KeyRule.HEADER_REASON);
        assertReason(webhook, "path = a, idempotency-key = \"json:order/id\"", KeyRule.POINTER_REASON);
        assertReason(webhook, "path = a, idempotency-key = \"json:\"", KeyRule.POINTER_REASON);
        assertEquals(List.of(), problems(webhook, "path = a, idempotency-key = \"json:/order/id\""));
        assertEquals(List.of(), problems(webhook, "path = a, idempotency-key = \"header:X-Shop-Delivery\""));
    }

    @Test
    void unknownSettingsAndBadSizesAreReportedTogether() {
        List<ConfigProblem> problems = problems(webhook, "path = a, pathh = b, max-body-size = 0");
        assertEquals(List.of("source.webhook.max-body-size", "source.webhook.pathh"),
                problems.stream().map(ConfigProblem::path).sorted().toList());
        List<ConfigProblem> sinkProblems = problems(sink, "path = /x, retries = 3");
        assertEquals(1, sinkProblems.size());
        assertTrue(sinkProblems.get(0).reason().startsWith("unknown setting"), sinkProblems::toString);
    }

    @Test
    void systemBaseUrlMustBeAnAbsoluteHttpUrl() {
        for (String url : List.of("ftp://host/x", "not a url", "/relative", "http://")) {
            assertEquals(1, problems(connector.systemSpec(), "base-url = \"" + url + "\"").size(), url);
        }
        assertEquals(List.of(), problems(connector.systemSpec(), "base-url = \"https://erp.example.com:8443/api\""));
        assertEquals(List.of(), problems(connector.systemSpec(), ""));
    }

    @Test
    void sinkSettingsAreCheckedAgainstTheirRanges() {
        assertEquals(List.of(), problems(sink, "path = /orders"));
        assertEquals(1, problems(sink, "").size());
        assertEquals(1, problems(sink, "path = /x, method = GET").size());
        assertEquals(List.of(), problems(sink, "path = /x, method = put"));
        assertEquals(1, problems(sink, "path = /x, timeout = 0s").size());
        assertEquals(1, problems(sink, "path = /x, max-connections = 0").size());
        assertEquals(1, problems(sink, "path = /x, max-connections = 2000").size());
    }

    @Test
    void relativeSinkPathNeedsTheSystemBaseUrl() {
        Config noBase = ConfigFactory.parseString("connector = http");
        Config withBase = ConfigFactory.parseString("connector = http, base-url = \"http://erp:9100/api/\"");
        var factory = connector.sink().orElseThrow();

        List<ConfigProblem> problems = factory.validate(noBase, ConfigFactory.parseString("path = /erp/orders"), "targets.0.http");
        assertEquals(1, problems.size());
        assertEquals("targets.0.http.path", problems.get(0).path());
        assertTrue(problems.get(0).reason().contains("base-url"), problems::toString);

        assertEquals(List.of(), factory.validate(withBase, ConfigFactory.parseString("path = /erp/orders"), "t"));
        assertEquals(List.of(), factory.validate(noBase, ConfigFactory.parseString("path = \"https://h.example/x\""), "t"));
        assertEquals(1, factory.validate(noBase, ConfigFactory.parseString("path = \"http://\""), "t").size());
        List<ConfigProblem> missing = factory.validate(withBase, ConfigFactory.parseString("method = POST"), "t");
        assertEquals("t.path", missing.get(0).path());
    }

    @Test
    void relativePathsJoinTheBaseUrlWithOneSlash() {
        assertEquals("http://h/api/orders", TargetUrl.resolve(Optional.of("http://h/api/"), "/orders"));
        assertEquals("http://h/api/orders", TargetUrl.resolve(Optional.of("http://h/api"), "orders"));
        assertEquals("https://x/y", TargetUrl.resolve(Optional.of("http://h"), "https://x/y"));
    }

    private static void assertReason(ConfigSpec spec, String hocon, String reason) {
        List<ConfigProblem> problems = problems(spec, hocon);
        assertEquals(1, problems.size(), problems::toString);
        assertEquals(reason, problems.get(0).reason());
    }

    private static List<ConfigProblem> problems(ConfigSpec spec, String hocon) {
        return spec.validate(ConfigFactory.parseString(hocon), "source.webhook", Set.of("connector"));
    }
}
