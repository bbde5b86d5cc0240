package dev.junction.connectors.http;

import dev.junction.connectors.api.http.HttpIngress;
import dev.junction.connectors.api.http.HttpIngressRequest;
import dev.junction.connectors.api.http.HttpReply;
import dev.junction.connectors.api.InboundMessage;
import dev.junction.connectors.api.IngestResult;
import dev.junction.connectors.api.Ingestor;
import dev.junction.connectors.api.KeyRule;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One integration's webhook: checks a request, hands the message to the inbox and answers once the inbox has decided, so a
 * 202 always means durable. Every refusal is an RFC 9457 problem with a detail the sender can act on.
 *
 * <p>Lifecycle: created by {@link WebhookSourceFactory} on the main thread; {@link #handle} is then called by the server's HTTP
 * listener on dispatcher threads, concurrently, and never blocks (parsing is in memory, ingest is asynchronous). After
 * {@link #stop()} new requests get 503 and the returned stage completes when the requests already handed to the inbox settled.
 */
public final class WebhookIngress implements HttpIngress {
    private static final Logger log = LoggerFactory.getLogger(WebhookIngress.class);
    /** Request headers kept with the message: small, and useful when tracing a message back to its sender. */
    private static final String[] KEPT_HEADERS = {"user-agent", "x-request-id", "traceparent", "tracestate"};

    private final WebhookSettings settings;
    private final Ingestor ingestor;
    private final InFlight inFlight = new InFlight();

    WebhookIngress(WebhookSettings settings, Ingestor ingestor) {
        this.settings = settings;
        this.ingestor = ingestor;
    }

    @Override
    public String path() {
        return settings.path();
    }

    @Override
    public long maxBodyBytes() {
        return settings.maxBodyBytes();
    }

    @Override
    public CompletionStage<HttpReply> handle(HttpIngressRequest request) {
        if (!"POST".equals(request.method())) {
            return done(HttpReply.problem(405, "method-not-allowed", "Method not allowed",
                    "webhooks accept only POST; got " + request.method(), Map.of("Allow", "POST")));
        }
        if (settings.verify() != null) {
            // Before anything is parsed or stored: an unproven request learns nothing about the body's rules.
            String failure = settings.verify().check(request, System.currentTimeMillis() / 1000);
            if (failure != null) {
                return done(HttpReply.problem(401, "invalid-signature", "Webhook not verified", failure, Map.of()));
            }
        }
        if (!isJson(request.contentType())) {
            String got = request.contentType().isEmpty() ? "no Content-Type" : "Content-Type " + request.contentType();
            return done(problem(415, "unsupported-media-type", "Unsupported media type",
                    "the body must be application/json or application/*+json; got " + got));
        }
        if (request.body().length > settings.maxBodyBytes()) {
            // The server enforces the limit before reading; this guards a listener that did not.
            return done(problem(413, "body-too-large", "Request body too large", "the body is " + request.body().length
                    + " bytes; this webhook accepts at most " + settings.maxBodyBytes()));
        }
        JsonBodies.Parsed parsed = JsonBodies.parse(request.body());
        if (parsed.problem() != null) {
            return done(problem(400, "invalid-json", "Invalid JSON body", parsed.problem()));
        }
        KeyRule.Found found = settings.keyRule().find(new KeyRule.Message(request::header, name -> Optional.empty(), parsed.json()));
        if (!found.isKey()) {
            return done(problem(400, "invalid-idempotency-key", "Missing or invalid idempotency key", found.problem()));
        }
        InboundMessage message = new InboundMessage(found.key(), contentType(request), request.body(), parsed.json(), kept(request));
        return ingest(message);
    }

    @Override
    public CompletionStage<Void> stop() {
        return inFlight.stop();
    }

    private CompletionStage<HttpReply> ingest(InboundMessage message) {
        String key = message.idempotencyKey();
        if (!inFlight.enter()) {
            return done(IngestReplies.unavailable(key, "this webhook is shutting down", null));
        }
        CompletionStage<IngestResult> result;
        try {
            result = ingestor.ingest(message);
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return result.handle((answer, error) -> {
            inFlight.exit();
            if (error != null || answer == null) {
                // The Ingestor promises never to fail; if it does, the sender still gets a refusal it can retry, not a 500.
                log.warn("ingest of key {} on webhook {} failed; answered 503", key, settings.path(), error);
                return IngestReplies.unavailable(key, "the inbox failed to answer", null);
            }
            return IngestReplies.reply(answer, key);
        });
    }

    private static boolean isJson(String mediaType) {
        String type = mediaType.toLowerCase(Locale.ROOT).trim();
        return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json")
                && type.length() > "application/+json".length() && type.indexOf('/') == type.lastIndexOf('/'));
    }

    private static String contentType(HttpIngressRequest request) {
        return request.header("content-type").orElse(request.contentType());
    }

    private static Map<String, String> kept(HttpIngressRequest request) {
        Map<String, String> headers = new HashMap<>();
        headers.put("content-type", contentType(request));
        for (String name : KEPT_HEADERS) {
            request.header(name).ifPresent(value -> headers.put(name, value));
        }
        return headers;
    }

    private static HttpReply problem(int status, String type, String title, String detail) {
        return HttpReply.problem(status, type, title, detail, Map.of());
    }

    private static CompletionStage<HttpReply> done(HttpReply reply) {
        return CompletableFuture.completedFuture(reply);
    }
}
