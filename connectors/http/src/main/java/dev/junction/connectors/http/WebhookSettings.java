package dev.junction.connectors.http;

import com.typesafe.config.Config;
import dev.junction.connectors.api.KeyRule;

/**
 * A webhook source's settings, read once from its validated block (defaults applied). Immutable.
 *
 * @param path          the path below {@code /webhooks/}
 * @param keyRule       where each request's idempotency key is found
 * @param maxBodyBytes  the largest body accepted
 */
record WebhookSettings(String path, KeyRule keyRule, long maxBodyBytes) {

    static WebhookSettings from(Config block) {
        return new WebhookSettings(
                block.getString("path"),
                KeyRule.parse(block.getString("idempotency-key"), java.util.Set.of()),
                block.getBytes("max-body-size"));
    }
}
