package dev.junction.server.api;

import dev.junction.connectors.api.http.HttpIngress;
import dev.junction.connectors.api.http.HttpIngressRequest;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes {@code /webhooks/<path>} to the integration's {@link HttpIngress}: reads the body up to the source's limit (413 beyond
 * it, before anything is stored), then lets the connector answer.
 */
final class WebhookHandler {
    static final String PREFIX = "/webhooks/";
    private static final Logger log = LoggerFactory.getLogger(WebhookHandler.class);
    private static final long READ_TIMEOUT_MS = 10_000;

    private final java.util.function.Function<String, HttpIngress> byPath;
    private final Materializer materializer;

    /** {@code byPath} finds the webhook at a path (a reload may change them), or null. */
    WebhookHandler(java.util.function.Function<String, HttpIngress> byPath, Materializer materializer) {
        this.byPath = byPath;
        this.materializer = materializer;
    }

    CompletionStage<HttpResponse> handle(HttpRequest request) {
        String path = request.getUri().path().substring(PREFIX.length());
        path = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        HttpIngress ingress = byPath.apply(path);
        if (ingress == null) {
            request.discardEntityBytes(materializer);
            return unread(ProblemResponses.problem(404, "not-found", "No such webhook", "no integration listens at " + PREFIX + path));
        }
        long limit = ingress.maxBodyBytes();
        if (request.entity().getContentLengthOption().orElse(0L) > limit) {
            request.discardEntityBytes(materializer);
            return unread(tooLarge(limit));
        }
        String sourcePath = path;
        return request.entity().toStrict(READ_TIMEOUT_MS, limit, materializer)
                .thenCompose(strict -> ingress.handle(new HttpIngressRequest(request.method().name(), sourcePath,
                        strict.getContentType().mediaType().toString(), headers(request), strict.getData().toArray())))
                .thenApply(ProblemResponses::toResponse)
                .exceptionally(failure -> onFailure(failure, limit, sourcePath));
    }

    private static HttpResponse onFailure(Throwable failure, long limit, String path) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof EntityStreamSizeException) {
            return tooLarge(limit);
        }
        log.warn("webhook {} failed: {}", path, cause.toString());
        return ProblemResponses.problem(503, "unavailable", "Try again", "the request could not be processed now; try again");
    }

    private static HttpResponse tooLarge(long limit) {
        return ProblemResponses.problem(413, "payload-too-large", "Body too large", "the body exceeds this webhook's limit of " + limit + " bytes");
    }

    private static Map<String, String> headers(HttpRequest request) {
        Map<String, String> headers = new HashMap<>();
        for (HttpHeader header : request.getHeaders()) {
            headers.putIfAbsent(header.lowercaseName(), header.value());
        }
        headers.put("content-type", request.entity().getContentType().toString().toLowerCase(Locale.ROOT));
        return headers;
    }

    /**
     * An answer given before the request's body was read: the server closes such a connection after the response, so the
     * response says so ({@code Connection: close}) and the client does not send its next request on it (a client that did
     * saw the connection end with no answer: "header parser received no bytes").
     */
    private static CompletionStage<HttpResponse> unread(HttpResponse response) {
        return done(response.addHeader(org.apache.pekko.http.javadsl.model.headers.Connection.create("close")));
    }

    private static CompletionStage<HttpResponse> done(HttpResponse response) {
        return CompletableFuture.completedFuture(response);
    }
}
