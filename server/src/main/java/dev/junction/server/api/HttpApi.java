package dev.junction.server.api;

import dev.junction.connectors.api.http.HttpIngress;
import dev.junction.server.config.HttpSettings;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP listener. Registered with CoordinatedShutdown: it stops taking requests and lets those in flight finish. */
public final class HttpApi {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);

    private HttpApi() {}

    /** {@code webhooks} finds the webhook source listening at a path under /webhooks/, or null. */
    public static CompletionStage<ServerBinding> start(ActorSystem<?> system, HttpSettings settings,
                                                       java.util.function.Function<String, HttpIngress> webhooks, AdminApi.Services services,
                                                       dev.junction.server.security.AdminSettings adminSettings) {
        WebhookHandler webhookHandler = new WebhookHandler(webhooks, Materializer.matFromSystem(system));
        org.apache.pekko.japi.function.Function<HttpRequest, CompletionStage<HttpResponse>> admin = AdminApi.handler(system, services, adminSettings);
        return Http.get(system).newServerAt(settings.iface(), settings.port())
                .bind((org.apache.pekko.japi.function.Function<HttpRequest, CompletionStage<HttpResponse>>)
                        request -> route(request, webhookHandler, admin, system))
                .thenApply(binding -> {
                    binding.addToCoordinatedShutdown(Duration.ofSeconds(10), system);
                    log.info("HTTP listening on {}", binding.localAddress());
                    return binding;
                });
    }

    private static CompletionStage<HttpResponse> route(HttpRequest request, WebhookHandler webhooks,
                                                       org.apache.pekko.japi.function.Function<HttpRequest, CompletionStage<HttpResponse>> admin,
                                                       ActorSystem<?> system) throws Exception {
        String path = request.getUri().path();
        if (path.startsWith(WebhookHandler.PREFIX)) {
            return webhooks.handle(request);
        }
        if (path.startsWith(AdminApi.PREFIX)) {
            return admin.apply(request);
        }
        request.discardEntityBytes(system);
        if (path.equals("/metrics") && request.method().name().equals("GET")) {
            // Prometheus's text exposition format, this node's own metrics (each node of a cluster serves its own).
            return CompletableFuture.completedFuture(HttpResponse.create().withEntity(HttpEntities.create(
                    ContentTypes.TEXT_PLAIN_UTF8, dev.junction.server.observability.Observability.scrape())));
        }
        if (Dashboard.serves(path) && request.method().name().equals("GET")) {
            return CompletableFuture.completedFuture(Dashboard.file(path));
        }
        if (path.equals("/health")) {
            return CompletableFuture.completedFuture(HttpResponse.create()
                    .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, "{\"status\":\"up\"}")));
        }
        return CompletableFuture.completedFuture(ProblemResponses.problem(404, "not-found", "Not found", "nothing at " + path));
    }
}
