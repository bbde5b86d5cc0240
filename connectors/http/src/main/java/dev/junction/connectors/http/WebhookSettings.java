package dev.junction.connectors.http;

import com.typesafe.config.Config;
import dev.junction.connectors.api.KeyRule;

/**
 * A webhook source's settings, read once from its validated block (defaults applied). Immutable.
 *
 * @param path          the path below {@code /webhooks/}
 * @param keyRule       where each request's idempotency key is found
 * @param maxBodyBytes  the largest body accepted
 * @param verify        the proof of origin each request needs, or null when none is configured
 */
record WebhookSettings(String path, KeyRule keyRule, long maxBodyBytes, SignatureCheck verify) {

    static WebhookSettings from(Config block) {
        return new WebhookSettings(
                block.getString("path"),
                KeyRule.parse(block.getString("idempotency-key"), java.util.Set.of()),
                block.getBytes("max-body-size"),
                block.hasPath("verify") ? WebhookVerification.build(block.getConfig("verify")) : null);
    }
}
