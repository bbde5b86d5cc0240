package dev.junction.server.api;

import static org.apache.pekko.http.javadsl.server.Directives.attribute;
import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.junction.server.delivery.Catalog;
import dev.junction.server.inbox.BulkOperations;
import dev.junction.server.inbox.DeadLetterService;
import dev.junction.server.inbox.Messages;
import dev.junction.server.plugins.ConnectorRegistry;
import dev.junction.server.reload.Reloader;
import dev.junction.server.security.AdminSettings;
import dev.junction.server.source.SourceHealth;
import dev.junction.server.system.Systems;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.japi.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API under {@code /api/v1}: one routes class per resource, JSON records out, and this class's one error mapper that
 * turns refusals, rejections and unexpected failures into {@code application/problem+json}.
 */
public final class AdminApi {
    static final String PREFIX = "/api/v1/";
    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
    static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    /** The OpenAPI 3.1 document of this API, {@code GET /api/v1/openapi.json}; OpenApiContractTest keeps it and the routes equal. */
    private static final HttpResponse OPENAPI = openApi();

    private AdminApi() {}

    private static HttpResponse openApi() {
        try (var in = AdminApi.class.getResourceAsStream("openapi.json")) {
            return HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, in.readAllBytes()));
        } catch (java.io.IOException | NullPointerException e) {
            throw new IllegalStateException("openapi.json is missing from the server's jar", e);
        }
    }

    /** What the admin API reads and acts on. */
    public record Services(DeadLetterService deadLetters, BulkOperations operations, Messages messages, Catalog catalog,
                           Reloader reloader, dev.junction.server.reload.ClusterReload clusterReload, Systems systems, SourceHealth sources, ConnectorRegistry connectors,
                           dev.junction.server.observability.Alerts alerts, dev.junction.server.runs.RunStore runs,
                           java.util.function.Function<String, CompletionStage<Integer>> pending) {}

    static Function<HttpRequest, CompletionStage<HttpResponse>> handler(ActorSystem<?> system, Services services, AdminSettings admin) {
        // Made once: the directives' inner routes are built again for every request.
        SystemRoutes systemRoutes = new SystemRoutes(system, services.systems(), services.sources());
        Route routes = pathPrefix("api", () -> pathPrefix("v1", () -> concat(
                new DeadLetterRoutes(services.deadLetters(), services.operations(), new Masks(services.catalog())).route(),
                new LookupRoutes(services.reloader()).route(),
                new ChannelRoutes(services.reloader(), services.catalog(), services.pending()).route(),
                new MessageRoutes(services.messages(), services.catalog()).route(),
                new IntegrationRoutes(services.catalog(), services.reloader(), services.clusterReload(), services.messages()).route(),
                systemRoutes.route(),
                new ConnectorRoutes(services.connectors()).route(),
                path("openapi.json", () -> get(() -> complete(OPENAPI))),
                new AlertRoutes(services.alerts()).route(),
                new ActivityRoutes(services.alerts(), services.catalog()).route(),
                new RunRoutes(services.runs()).route(),
                path("me", () -> get(() -> caller(c -> complete(json(200, Map.of("name", c.name(), "role", c.role().wire())))))))));
        Function<HttpRequest, CompletionStage<HttpResponse>> sealed = routes.seal(rejections(), exceptions()).handler(system);
        AdminAuth auth = new AdminAuth(admin);
        if (admin.loopbackOnly()) {
            log.warn("No admin tokens are configured (junction.admin.tokens): the admin API answers loopback clients only");
        } else {
            log.info("Admin API: {} token(s) ({})", admin.tokens().size(),
                    admin.tokens().stream().map(t -> t.name() + "=" + t.role().wire()).collect(java.util.stream.Collectors.joining(", ")));
        }
        return request -> {
            AdminAuth.Decision decision = auth.decide(request);
            if (decision.refusal() != null) {
                request.discardEntityBytes(system);
                return java.util.concurrent.CompletableFuture.completedFuture(decision.refusal());
            }
            return sealed.apply(request.addAttribute(AdminAuth.CALLER, decision.caller()));
        };
    }

    /** The authenticated caller of this request (set by {@link AdminAuth} before any route runs). */
    static Route caller(java.util.function.Function<AdminAuth.Caller, Route> inner) {
        return attribute(AdminAuth.CALLER, inner);
    }

    /** A JSON response. */
    static HttpResponse json(int status, Object body) {
        try {
            return HttpResponse.create().withStatus(StatusCodes.get(status))
                    .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, JSON.writeValueAsBytes(body)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + body.getClass().getSimpleName(), e);
        }
    }

    private static ExceptionHandler exceptions() {
        return ExceptionHandler.newBuilder()
                .matchAny(e -> {
                    // Thrown in a route, or failing a future the route waited for (then wrapped).
                    Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (cause instanceof ApiProblem p) {
                        return complete(ProblemResponses.problem(p.status, p.type, p.title, p.getMessage()));
                    }
                    if (cause instanceof java.util.concurrent.TimeoutException) {
                        return complete(ProblemResponses.problem(503, "unavailable", "Service unavailable",
                                "a part of the cluster did not answer in time; try again"));
                    }
                    log.error("admin API request failed", cause);
                    return complete(ProblemResponses.problem(500, "internal", "Internal error",
                            "the request failed unexpectedly (" + cause.getClass().getSimpleName() + "); see the server log"));
                })
                .build();
    }

    /** Pekko's own rejection answers (wrong method, unreadable body, no such path) with their text as a problem's detail. */
    private static RejectionHandler rejections() {
        return RejectionHandler.defaultHandler().mapRejectionResponse(response -> {
            HttpEntity entity = response.entity();
            String detail = entity instanceof HttpEntity.Strict strict ? strict.getData().utf8String() : response.status().reason();
            int status = response.status().intValue();
            String type = status == 404 ? "not-found" : status == 405 ? "method-not-allowed" : "bad-request";
            return ProblemResponses.problem(status, type, response.status().reason(), detail).withHeaders(response.getHeaders());
        });
    }

    /** The request body as JSON; an empty body is an empty object. */
    static Route jsonBody(java.util.function.Function<JsonNode, Route> inner) {
        return entity(Unmarshaller.entityToString(), text -> {
            JsonNode json;
            try {
                json = text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw ApiProblem.badRequest("the body is not JSON: " + e.getOriginalMessage());
            }
            if (!json.isObject()) {
                throw ApiProblem.badRequest("the body must be a JSON object");
            }
            return inner.apply(json);
        });
    }
}
