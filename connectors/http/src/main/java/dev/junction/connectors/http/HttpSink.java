package dev.junction.connectors.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.junction.connectors.api.PermanentException;
import dev.junction.connectors.api.SinkInstance;
import dev.junction.connectors.api.SinkRecord;
import dev.junction.connectors.api.TraceContext;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.stream.Materializer;

/**
 * One REST target: each {@link #send} is exactly one request through a Pekko HTTP host pool, classified into delivered,
 * {@link dev.junction.connectors.api.RetriableException} or {@link PermanentException}.
 *
 * <p>Lifecycle: created on the main thread by {@link HttpSinkFactory}; the pool opens on the first send. {@link #send} is called
 * concurrently on dispatcher threads and never blocks: the request, the response and the deadline are all asynchronous. The pool
 * is Pekko's, shared by every sink with the same host and settings, and shut down with the actor system, so {@link #close()}
 * keeps the default.
 */
public final class HttpSink implements SinkInstance {
    private final HttpSinkSettings settings;
    private final ActorSystem<?> system;
    private final Http http;
    private final HttpsConnectionContext https;
    private final ConnectionPoolSettings pool;
    private final LoggingAdapter log;
    private final Responses responses;
    private final HttpMethod method;
    private final String target;

    private final OutboundAuth auth;

    HttpSink(HttpSinkSettings settings, ActorSystem<?> system, OutboundAuth auth) {
        this.settings = settings;
        this.auth = auth;
        this.system = system;
        this.http = Http.get(system);
        this.https = http.defaultClientHttpsContext();
        this.pool = PoolSettings.of(settings, system);
        this.log = system.classicSystem().log();
        this.responses = new Responses(Materializer.matFromSystem(system), Clock.systemUTC());
        this.method = switch (settings.method()) {
            case "PUT" -> HttpMethods.PUT;
            case "PATCH" -> HttpMethods.PATCH;
            default -> HttpMethods.POST;
        };
        this.target = settings.method() + " " + settings.url();
    }

    @Override
    public CompletionStage<Void> send(SinkRecord record) {
        HttpRequest request;
        try {
            request = request(record);
        } catch (RuntimeException | JsonProcessingException e) {
            // Nothing was sent and the same record builds the same request next time: retrying cannot help.
            return CompletableFuture.failedFuture(new PermanentException("invalid-request",
                    target + ": cannot build the request for message " + record.messageId() + ": " + e.getMessage(), e));
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        // The deadline completes `result` only; the attempt below still runs to its end, so its response entity is consumed.
        Cancellable deadline = system.scheduler().scheduleOnce(settings.timeout(),
                () -> result.completeExceptionally(Failures.timeout(target, settings.timeout())), system.executionContext());
        withAuth(request).whenComplete((done, error) -> {
            deadline.cancel();
            if (error == null) {
                result.complete(null);
            } else {
                result.completeExceptionally(Failures.classify(error, target));
            }
        });
        return result;
    }

    /**
     * One attempt with the system's credentials; after a 401 to an OAuth2 token, once more with a new token before the attempt
     * counts as failed.
     */
    private CompletionStage<Void> withAuth(HttpRequest request) {
        if (auth == null) {
            return attempt(request);
        }
        return auth.header().thenCompose(header -> attempt(request.addHeader(header)).handle((done, error) -> {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof PermanentException p && p.errorClass().equals("http-401") && auth.renewAfter401(header)) {
                return auth.header().thenCompose(renewed -> attempt(request.addHeader(renewed)));
            }
            return error == null ? CompletableFuture.<Void>completedFuture(null) : CompletableFuture.<Void>failedFuture(cause);
        }).thenCompose(stage -> stage));
    }

    private CompletionStage<Void> attempt(HttpRequest request) {
        try {
            return http.singleRequest(request, https, pool, log).thenCompose(response -> responses.outcome(response, target));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private HttpRequest request(SinkRecord record) throws JsonProcessingException {
        // payloadBytes is serialized once for all attempts; fall back only if a caller left it out.
        byte[] body = record.payloadBytes() != null ? record.payloadBytes() : JsonBodies.MAPPER.writeValueAsBytes(record.payload());
        return HttpRequest.create(settings.url())
                .withMethod(method)
                .withEntity(ContentTypes.APPLICATION_JSON, body)
                .addHeader(header("Idempotency-Key", record.idempotencyKey()))
                .addHeader(header("X-Junction-Message-Id", record.messageId()))
                .addHeader(RawHeader.create("X-Junction-Attempt", Integer.toString(record.attempt())))
                // The attempt's span, made by the server (a new trace when the record has none, as when used alone).
                .addHeader(RawHeader.create(TraceContext.HEADER, TraceContext.traceId(record.headers()) != null
                        ? record.headers().get(TraceContext.HEADER).trim() : TraceContext.traceparent(null)))
                .addHeaders(signature(record.idempotencyKey(), body));
    }

    /**
     * Standard Webhooks headers when the target asks for them: {@code webhook-id} is the idempotency key, the same on every
     * attempt, so the receiver deduplicates retries; the timestamp is the attempt's.
     */
    private List<HttpHeader> signature(String key, byte[] body) {
        if (settings.signSecret() == null) {
            return List.of();
        }
        long now = System.currentTimeMillis() / 1000;
        return List.of(RawHeader.create("webhook-id", key), RawHeader.create("webhook-timestamp", Long.toString(now)),
                RawHeader.create("webhook-signature", SignatureSchemes.standardWebhooksSignature(settings.signSecret(), key, now, body)));
    }

    /**
     * A header whose value the target receives exactly. Pekko silently drops a header with CR or LF and sends other
     * characters beyond ASCII as truncated bytes; either would deliver without the key the target deduplicates on.
     */
    private static RawHeader header(String name, String value) {
        if (value == null || value.isEmpty() || !value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException(name + " must be non-empty printable ASCII to be sent faithfully");
        }
        return RawHeader.create(name, value);
    }
}
