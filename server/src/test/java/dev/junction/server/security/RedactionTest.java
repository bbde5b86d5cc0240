package dev.junction.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.junction.connectors.api.InboundMessage;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What is redacted, by name: headers before an envelope is written, settings in the configuration the API shows. */
class RedactionTest {

    @Test
    void credentialAndSignatureHeadersAreRedactedBeforeTheMessageExists() {
        InboundMessage message = new InboundMessage("k", "application/json", new byte[0], JsonNodeFactory.instance.objectNode(),
                Map.of("authorization", "Bearer s3cret-1", "cookie", "sid=s3cret-2", "stripe-signature", "t=1,v1=s3cret-3",
                        "x-hub-signature-256", "sha256=s3cret-4", "x-shopify-hmac-sha256", "s3cret-5", "webhook-signature", "v1,s3cret-6",
                        "x-api-key", "s3cret-7", "user-agent", "Shop/1.0", "webhook-id", "msg_1"));
        assertFalse(message.headers().toString().contains("s3cret"), message.headers()::toString);
        assertEquals("Shop/1.0", message.headers().get("user-agent"));
        assertEquals("msg_1", message.headers().get("webhook-id"));
        assertEquals("<redacted>", message.headers().get("authorization"));
    }

    @Test
    void theConfigurationShownKeepsSubstitutionsAndHidesValues() {
        String text = """
                junction {
                  persistence.password = "db-s3cret"
                  admin.tokens = [ { name = "ops", role = operator, token = "tok-s3cret-0123456789" }, { name = x, role = admin, token = ${?ADMIN_TOKEN} } ]
                  integrations.a.source.webhook.verify { scheme = github, secrets = [ ${?OLD}, "wh-s3cret", ${?NEW} ] }
                  systems.erp.auth { oauth2 { client-secret: plain-s3cret, client-id = "erp" } }
                  systems.crm.auth.header { name = X-Api-Key, value = "api-s3cret" }
                  "secret" = "quoted-key-s3cret"
                  tokens-per-second = 5
                }
                """;
        String shown = ConfigText.redact(text);
        assertFalse(shown.contains("s3cret"), shown);
        assertTrue(shown.contains("token = ${?ADMIN_TOKEN}"), shown);
        assertTrue(shown.contains("secrets = [ ${?OLD}, \"<redacted>\", ${?NEW} ]"), shown);
        assertTrue(shown.contains("client-id = \"erp\""), shown);
        assertTrue(shown.contains("tokens-per-second = 5"), shown);
    }
}
