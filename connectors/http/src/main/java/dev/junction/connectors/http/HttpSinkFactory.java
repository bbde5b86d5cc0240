package dev.junction.connectors.http;

import com.typesafe.config.Config;
import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigProblem;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.SinkContext;
import dev.junction.connectors.api.SinkFactory;
import dev.junction.connectors.api.SinkInstance;
import java.time.Duration;
import java.util.List;

/**
 * The REST sink of the {@code http} connector: each delivery attempt is one request to the target URL. Stateless and shared;
 * {@link #spec()} and {@link #validate} run during configuration validation, {@link #create} once per target on the main thread
 * (it builds settings only; connections open lazily on the first {@link SinkInstance#send}).
 */
final class HttpSinkFactory implements SinkFactory {

    static final ConfigField METHOD = ConfigField.oneOf("method", "POST", "PUT", "PATCH").defaultValue("POST")
            .description("HTTP method of each delivery.")
            .example("POST")
            .example("PUT");

    static final ConfigField PATH = ConfigField.string("path").required()
            .description("Where deliveries go: a path appended to the system's base-url, or an absolute http(s) URL.")
            .example("/erp/orders")
            .example("https://hooks.example.com/orders")
            .check((String p) -> !p.isBlank(), "must not be blank");

    static final ConfigField TIMEOUT = ConfigField.duration("timeout").defaultValue("10s")
            .description("Longest one attempt may take, including waiting for a free connection; a stalled target fails the "
                    + "attempt as retriable 'timeout'.")
            .example("10s")
            .example("2500ms")
            .check((Duration d) -> !d.isNegative() && !d.isZero(), "must be greater than zero");

    static final ConfigField MAX_CONNECTIONS = ConfigField.integer("max-connections").defaultValue(32)
            .description("Most connections this target opens to its host.")
            .example("32")
            .check((Integer n) -> n >= 1 && n <= 1024, "must be between 1 and 1024");

    static final ConfigField SIGN = ConfigField.object("sign", ConfigSpec.of("Signs each request so the receiver can verify Junction.",
                    ConfigField.oneOf("scheme", "standard-webhooks").required().description("The signature scheme.").example("standard-webhooks"),
                    ConfigField.string("secret").required().description("whsec_ followed by base64; use ${?ENV}.").example("${?ERP_SIGNING_SECRET}")
                            .check((String s) -> SignatureSchemes.decodes("standard-webhooks", s, false), "must be whsec_ followed by base64")))
            .description("Standard Webhooks headers on every request: webhook-id (the idempotency key, stable across retries), "
                    + "webhook-timestamp and webhook-signature.")
            .example("{ scheme = standard-webhooks, secret = ${?ERP_SIGNING_SECRET} }");

    private static final ConfigSpec SPEC = ConfigSpec.of(
            "Delivers each message as a JSON request with an Idempotency-Key header; 2xx is delivered, 408/429/5xx are "
                    + "retried, other 4xx and 3xx are dead-lettered.",
            METHOD, PATH, TIMEOUT, MAX_CONNECTIONS, SIGN);

    @Override
    public ConfigSpec spec() {
        return SPEC;
    }

    @Override
    public List<ConfigProblem> validate(Config systemConfig, Config settings, String settingsPath) {
        if (!settings.hasPath("path")) {
            return List.of(ConfigProblem.missing(settings.origin(), settingsPath + ".path",
                    "is required: a path appended to the system's base-url, or an absolute http(s) URL"));
        }
        List<ConfigProblem> problems = new java.util.ArrayList<>(OutboundAuth.validate(systemConfig, "auth of the target's system"));
        try {
            TargetUrl.resolve(TargetUrl.baseUrl(systemConfig), settings.getString("path"));
        } catch (IllegalArgumentException e) {
            problems.add(ConfigProblem.of(settings.getValue("path"), settingsPath + ".path", e.getMessage()));
        }
        return problems;
    }

    @Override
    public SinkInstance create(SinkContext context) {
        HttpSinkSettings settings = HttpSinkSettings.from(context.systemConfig(), context.settings());
        return new HttpSink(settings, context.actorSystem(), OutboundAuth.of(context.systemConfig(), context.actorSystem(), settings.timeout()));
    }
}
