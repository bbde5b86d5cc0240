package dev.junction.connectors.http;

import com.typesafe.config.Config;

/**
 * A webhook source's settings, read once from its validated block (defaults applied). Immutable.
 *
 * @param path          the path below {@code /webhooks/}
 * @param keySource     where each request's idempotency key is found
 * @param maxBodyBytes  the largest body accepted
 */
record WebhookSettings(String path, IdempotencyKeySource keySource, long maxBodyBytes) {

    static WebhookSettings from(Config block) {
        return new WebhookSettings(
                block.getString("path"),
                IdempotencyKeySource.parse(block.getString("idempotency-key")),
                block.getBytes("max-body-size"));
    }
}
