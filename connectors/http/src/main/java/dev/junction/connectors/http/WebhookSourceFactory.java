package dev.junction.connectors.http;

import com.typesafe.config.Config;
import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.KeyRule;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceFactory;
import dev.junction.connectors.api.SourceInstance;
import java.util.Set;

/**
 * The {@code webhook} source kind: senders {@code POST /webhooks/<path>} to the server's own port, and each accepted request
 * becomes one message. Stateless and shared; {@link #create} is called once per integration on the main thread and only builds
 * the {@link WebhookIngress} (the server owns the listener).
 */
final class WebhookSourceFactory implements SourceFactory {

    static final ConfigField PATH = ConfigField.string("path").required()
            .description("Path below /webhooks/ that senders POST to; unique across integrations. Letters, digits and -_./, "
                    + "no leading or trailing slash, no '..', no empty or '.' segments.")
            .example("webshop/orders")
            .check((String p) -> p.matches("[A-Za-z0-9._/-]+"), "must be non-empty and contain only letters, digits and - _ . /")
            .check((String p) -> !p.startsWith("/") && !p.endsWith("/"), "must not start or end with a slash")
            .check((String p) -> !p.contains(".."), "must not contain '..'")
            // Checks are disjoint so each mistake is reported once; the added slashes catch "." as first or last segment.
            .check((String p) -> !p.contains("//") && !("/" + p + "/").contains("/./"), "must not have empty or '.' segments");

    static final ConfigField IDEMPOTENCY_KEY = KeyRule.field("idempotency-key").defaultValue("header:Idempotency-Key");

    static final ConfigField MAX_BODY_SIZE = ConfigField.bytes("max-body-size").defaultValue("1m")
            .description("Largest request body accepted; larger requests are answered 413 before they are read in full.")
            .example("1m")
            .example("256k")
            .check((Long bytes) -> bytes > 0, "must be greater than zero")
            .check((Long bytes) -> bytes <= Integer.MAX_VALUE - 8, "must be less than 2g (the body is held in memory)");

    static final ConfigField VERIFY = ConfigField.object("verify", WebhookVerification.SPEC)
            .description("Requires each request to be signed (or to carry a shared token); a request that fails is answered 401 "
                    + "and nothing is stored.")
            .example("{ scheme = standard-webhooks, secrets = [ ${?SHOP_WEBHOOK_SECRET} ], tolerance = 5m }");

    private static final ConfigSpec SPEC = ConfigSpec.of(
            "Receives JSON webhooks: POST /webhooks/<path> with an idempotency key; answers 202 once the message is durable.",
            PATH, IDEMPOTENCY_KEY, MAX_BODY_SIZE, VERIFY);

    @Override
    public ConfigSpec spec() {
        return SPEC;
    }

    @Override
    public java.util.List<dev.junction.connectors.api.ConfigProblem> validate(Config systemConfig, Config settings, String settingsPath) {
        return settings.hasPath("verify") ? WebhookVerification.validate(settings.getConfig("verify"), settingsPath + ".verify")
                : java.util.List.of();
    }

    /** The webhook's path: two integrations listening on one path is a configuration error, not a race at runtime. */
    @Override
    public Set<String> claims(Config systemConfig, Config settings) {
        return settings.hasPath("path") ? Set.of("webhook path " + settings.getString("path")) : Set.of();
    }

    @Override
    public SourceInstance create(SourceContext context) {
        return new WebhookIngress(WebhookSettings.from(context.settings()), context.ingestor());
    }
}
