package dev.junction.connectors.http;

import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.Connector;
import dev.junction.connectors.api.LookupFactory;
import dev.junction.connectors.api.SinkFactory;
import dev.junction.connectors.api.SourceFactory;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code http} connector: systems reached over HTTP. Sources: {@code webhook} (pushed to over the server's own port),
 * {@code poll} (an API read in runs from a committed watermark) and {@code batch} (the same on a cron schedule). Sink:
 * one REST call per delivery attempt.
 *
 * <p>Lifecycle: loaded by {@link java.util.ServiceLoader} and created once through the no-argument constructor; every method is
 * called on the main thread while the configuration is validated and returns immutable, shared objects without opening anything.
 */
public final class HttpConnector implements Connector {

    /** The system setting a target's relative {@code path} is appended to. */
    static final ConfigField BASE_URL = ConfigField.string("base-url")
            .description("Absolute http or https URL that relative target paths are appended to. Optional when every target "
                    + "path is an absolute URL.")
            .example("http://127.0.0.1:9100")
            .example("https://erp.example.com/api")
            .check((String url) -> TargetUrl.isAbsoluteHttpUrl(url), "must be an absolute http or https URL with a host");

    static final ConfigField AUTH = ConfigField.object("auth", OutboundAuth.SPEC)
            .description("Credentials every call carries: bearer, basic { user, password }, header { name, value } or "
                    + "oauth2 { token-url, client-id, client-secret, scope }.")
            .example("{ bearer = ${?ERP_TOKEN} }");

    private static final ConfigSpec SYSTEM_SPEC = ConfigSpec.of("A system reached over HTTP.", BASE_URL, AUTH);

    private final WebhookSourceFactory webhook = new WebhookSourceFactory();
    private final PollSourceFactory poll = new PollSourceFactory();
    private final BatchSourceFactory batch = new BatchSourceFactory();
    private final HttpSinkFactory sink = new HttpSinkFactory();
    private final HttpLookups lookups = new HttpLookups();

    @Override
    public String name() {
        return "http";
    }

    @Override
    public ConfigSpec systemSpec() {
        return SYSTEM_SPEC;
    }

    @Override
    public Map<String, SourceFactory> sources() {
        return Map.of("webhook", webhook, "poll", poll, "batch", batch);
    }

    @Override
    public Optional<SinkFactory> sink() {
        return Optional.of(sink);
    }

    @Override
    public Optional<LookupFactory> lookups() {
        return Optional.of(lookups);
    }
}
