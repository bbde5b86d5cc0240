package dev.junction.connectors.http;

import com.typesafe.config.Config;
import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigProblem;
import dev.junction.connectors.api.ConfigSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * The credentials an HTTP system's calls carry: {@code auth { bearer = … }}, {@code auth { basic { user, password } }},
 * {@code auth { header { name, value } }} or {@code auth { oauth2 { token-url, client-id, client-secret, scope } }}.
 * Thread-safe; {@link #header()} never blocks.
 */
interface OutboundAuth {

    /** The header to send with the next call (an OAuth2 token may be fetched first). */
    CompletionStage<HttpHeader> header();

    /** After the target answered 401 to a call sent with {@code used}: whether a new credential was made ready to try once more. */
    default boolean renewAfter401(HttpHeader used) {
        return false;
    }

    ConfigSpec SPEC = ConfigSpec.of("The credentials every call to this system carries; exactly one kind.",
            ConfigField.string("bearer").description("Authorization: Bearer <token>. Use ${?ENV}.").example("${?ERP_TOKEN}"),
            ConfigField.object("basic", ConfigSpec.of("Authorization: Basic.",
                    ConfigField.string("user").required().description("The user.").example("junction"),
                    ConfigField.string("password").required().description("The password. Use ${?ENV}.").example("${?ERP_PASSWORD}")))
                    .description("HTTP Basic credentials.").example("{ user = junction, password = ${?ERP_PASSWORD} }"),
            ConfigField.object("header", ConfigSpec.of("A header of the system's choosing.",
                    ConfigField.string("name").required().description("The header's name.").example("X-Api-Key"),
                    ConfigField.string("value").required().description("Its value. Use ${?ENV}.").example("${?ERP_API_KEY}")))
                    .description("An API key in a header.").example("{ name = X-Api-Key, value = ${?ERP_API_KEY} }"),
            ConfigField.object("oauth2", ConfigSpec.of("OAuth 2.0 client credentials (RFC 6749 §4.4).",
                    ConfigField.string("token-url").required().description("The token endpoint.").example("https://id.example.com/oauth2/token")
                            .check((String u) -> TargetUrl.isAbsoluteHttpUrl(u), "must be an absolute http or https URL with a host"),
                    ConfigField.string("client-id").required().description("The client's id.").example("junction"),
                    ConfigField.string("client-secret").required().description("The client's secret. Use ${?ENV}.").example("${?ERP_CLIENT_SECRET}"),
                    ConfigField.string("scope").description("Scopes to ask for, space-separated.").example("orders:write"),
                    ConfigField.duration("refresh-before").defaultValue("30s").description("How long before expiry a token is replaced.")
                            .example("30s")))
                    .description("A token fetched once per node, cached, refreshed before it expires and once after a 401.")
                    .example("{ token-url = \"https://id.example.com/oauth2/token\", client-id = junction, client-secret = ${?ERP_SECRET} }"));

    /** Problems of a system's {@code auth} block beyond its spec: exactly one kind, and no empty secret. */
    static List<ConfigProblem> validate(Config system, String path) {
        List<ConfigProblem> problems = new ArrayList<>();
        if (!system.hasPath("auth")) {
            return problems;
        }
        Config auth = system.getConfig("auth");
        problems.addAll(SPEC.validate(auth, path, java.util.Set.of()));
        long kinds = List.of("bearer", "basic", "header", "oauth2").stream().filter(auth::hasPath).count();
        if (kinds != 1) {
            problems.add(ConfigProblem.missing(auth.origin(), path, "must hold exactly one of bearer, basic, header, oauth2 (has " + kinds + ")"));
        }
        return problems;
    }

    /** The auth of a validated system, or null when it has none; OAuth2 tokens are shared by every target of the system on this node. */
    static OutboundAuth of(Config system, ActorSystem<?> actorSystem, java.time.Duration timeout) {
        if (!system.hasPath("auth")) {
            return null;
        }
        Config auth = SPEC.withDefaults(system.getConfig("auth"));
        if (auth.hasPath("bearer")) {
            HttpHeader h = RawHeader.create("Authorization", "Bearer " + auth.getString("bearer"));
            return () -> CompletableFuture.completedFuture(h);
        }
        if (auth.hasPath("basic")) {
            String credentials = auth.getString("basic.user") + ":" + auth.getString("basic.password");
            HttpHeader h = RawHeader.create("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
            return () -> CompletableFuture.completedFuture(h);
        }
        if (auth.hasPath("header")) {
            HttpHeader h = RawHeader.create(auth.getString("header.name"), auth.getString("header.value"));
            return () -> CompletableFuture.completedFuture(h);
        }
        Config o = auth.getConfig("oauth2");
        return OAuth2Tokens.shared(actorSystem, o.getString("token-url"), o.getString("client-id"), o.getString("client-secret"),
                o.hasPath("scope") ? o.getString("scope") : null, o.getDuration("refresh-before"), timeout);
    }
}
