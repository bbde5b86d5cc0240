package dev.junction.connectors.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.connectors.api.PermanentException;
import dev.junction.connectors.api.RetriableException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OAuth 2.0 client credentials for one system on one node: one token fetched and shared by every call, replaced before it
 * expires (from {@code expires_in}) and once after a target's 401. At most one request to the token endpoint is in flight. An
 * {@code invalid_client} (or {@code unauthorized_client}, {@code invalid_scope}) answer is permanent: calls fail at once as
 * {@code auth-invalid-client} (dead-lettered, not retried) for a minute before the endpoint is asked again, and the refusal is
 * logged at ERROR once per minute, so wrong credentials raise one alert and no retry storm.
 */
final class OAuth2Tokens implements OutboundAuth {
    private static final Logger log = LoggerFactory.getLogger(OAuth2Tokens.class);
    private static final Map<String, OAuth2Tokens> SHARED = new ConcurrentHashMap<>();
    private static final long REFUSAL_HOLD_MS = 60_000;

    private final ActorSystem<?> system;
    private final String tokenUrl;
    private final String clientId;
    private final String clientSecret;
    private final String scope;
    private final Duration refreshBefore;
    private final Duration timeout;
    /** Requests made to the token endpoint: a test's window into "fetched once". */
    final AtomicInteger fetches = new AtomicInteger();
    private volatile Token current;
    private CompletableFuture<Token> inFlight;
    private volatile PermanentException refused;
    private volatile long refusedUntil;

    private record Token(HttpHeader header, long refreshAtMillis) {}

    private OAuth2Tokens(ActorSystem<?> system, String tokenUrl, String clientId, String clientSecret, String scope,
                         Duration refreshBefore, Duration timeout) {
        this.system = system;
        this.tokenUrl = tokenUrl;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.scope = scope;
        this.refreshBefore = refreshBefore;
        this.timeout = timeout;
    }

    static OAuth2Tokens shared(ActorSystem<?> system, String tokenUrl, String clientId, String clientSecret, String scope,
                               Duration refreshBefore, Duration timeout) {
        String key = System.identityHashCode(system) + " " + tokenUrl + " " + clientId + " " + scope + " "
                + java.util.HexFormat.of().formatHex(SignatureSchemes.sha256(clientSecret));
        return SHARED.computeIfAbsent(key, k -> new OAuth2Tokens(system, tokenUrl, clientId, clientSecret, scope, refreshBefore, timeout));
    }

    @Override
    public CompletionStage<HttpHeader> header() {
        Token token = current;
        long now = System.currentTimeMillis();
        if (token != null && now < token.refreshAtMillis()) {
            return CompletableFuture.completedFuture(token.header());
        }
        if (refused != null && now < refusedUntil) {
            return CompletableFuture.failedFuture(refused);
        }
        return fetch().thenApply(Token::header);
    }

    @Override
    public boolean renewAfter401(HttpHeader used) {
        synchronized (this) {
            Token token = current;
            if (token != null && token.header().value().equals(used.value())) {
                current = null; // the next header() fetches a new one, once, whoever asks first
            }
        }
        return true;
    }

    private synchronized CompletableFuture<Token> fetch() {
        if (inFlight != null) {
            return inFlight;
        }
        CompletableFuture<Token> started = request().toCompletableFuture();
        inFlight = started;
        started.whenComplete((token, error) -> {
            synchronized (this) {
                inFlight = null;
                if (token != null) {
                    current = token;
                }
            }
        });
        return started;
    }

    private CompletionStage<Token> request() {
        fetches.incrementAndGet();
        StringBuilder form = new StringBuilder("grant_type=client_credentials");
        if (scope != null && !scope.isBlank()) {
            form.append("&scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        }
        // client_secret_basic (RFC 6749 §2.3.1): id and secret form-encoded, then Basic
        String basic = URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":" + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.create(tokenUrl).withMethod(HttpMethods.POST)
                .withEntity(ContentTypes.APPLICATION_X_WWW_FORM_URLENCODED, form.toString())
                .addHeader(RawHeader.create("Authorization", "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8))))
                .addHeader(RawHeader.create("Accept", "application/json"));
        Materializer materializer = Materializer.matFromSystem(system);
        return Http.get(system).singleRequest(request)
                .thenCompose(response -> response.entity().toStrict(timeout.toMillis(), materializer)
                        .thenApply(strict -> parse(response.status().intValue(), strict.getData().utf8String())))
                .toCompletableFuture().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(error -> {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                    if (cause instanceof PermanentException || cause instanceof RetriableException) {
                        throw new CompletionException(cause);
                    }
                    throw new CompletionException(new RetriableException("auth-token-unavailable",
                            "the token endpoint " + tokenUrl + " did not answer: " + cause.getClass().getSimpleName(), cause));
                });
    }

    private Token parse(int status, String body) {
        JsonNode json;
        try {
            json = JsonBodies.MAPPER.readTree(body.isBlank() ? "{}" : body);
        } catch (java.io.IOException e) {
            json = JsonBodies.MAPPER.createObjectNode();
        }
        String error = json.path("error").asText("");
        if (status == 400 || status == 401) {
            if (error.equals("invalid_client") || error.equals("unauthorized_client") || error.equals("invalid_scope")) {
                PermanentException refusal = new PermanentException("auth-invalid-client", "the token endpoint " + tokenUrl
                        + " refused client " + clientId + " (" + error + "); check its id, secret and scope");
                if (refused == null || System.currentTimeMillis() >= refusedUntil) {
                    log.error("OAuth2: {}; calls to this system are dead-lettered without retries until it accepts them",
                            refusal.getMessage());
                }
                refused = refusal;
                refusedUntil = System.currentTimeMillis() + REFUSAL_HOLD_MS;
                throw new CompletionException(refusal);
            }
        }
        if (status < 200 || status >= 300 || !json.hasNonNull("access_token")) {
            throw new CompletionException(new RetriableException("auth-token-unavailable", "the token endpoint " + tokenUrl
                    + " answered " + status + (error.isEmpty() ? "" : " (" + error + ")") + " without a token", null));
        }
        refused = null;
        long expiresIn = json.path("expires_in").asLong(300);
        long lifetimeMs = expiresIn * 1000;
        long refreshAt = System.currentTimeMillis() + Math.max(lifetimeMs / 2, lifetimeMs - refreshBefore.toMillis());
        return new Token(RawHeader.create("Authorization", "Bearer " + json.get("access_token").asText()), refreshAt);
    }
}
