package dev.junction.connectors.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import dev.junction.connectors.api.LookupFactory;
import dev.junction.connectors.api.LookupReader;
import dev.junction.connectors.api.PermanentException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.Materializer;

/**
 * An enrich step's read of an HTTP system: a GET of the system's {@code base-url} joined with the step's path, with the
 * system's credentials, classified like a delivery (404 is "none", 429 throttled with its {@code Retry-After}, 408/5xx
 * retriable, other 4xx permanent). Stateless; the readers it opens are thread-safe and never block.
 */
final class HttpLookups implements LookupFactory {
    /** The largest answer read; a lookup answer is one resource, not a page of them. */
    static final int MAX_ANSWER_BYTES = 4 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public LookupReader open(Config systemConfig, ActorSystem<?> system, Duration timeout) {
        Http http = Http.get(system);
        Materializer materializer = Materializer.matFromSystem(system);
        Responses responses = new Responses(materializer, Clock.systemUTC());
        OutboundAuth auth = OutboundAuth.of(systemConfig, system, timeout);
        Optional<String> base = TargetUrl.baseUrl(systemConfig);
        return path -> {
            String url = TargetUrl.resolve(base, path);
            String target = "GET " + url;
            CompletableFuture<Optional<JsonNode>> result = new CompletableFuture<>();
            Cancellable deadline = system.scheduler().scheduleOnce(timeout,
                    () -> result.completeExceptionally(Failures.timeout(target, timeout)), system.executionContext());
            HttpRequest request = HttpRequest.GET(url).addHeader(RawHeader.create("Accept", "application/json"));
            CompletionStage<HttpRequest> authorized = auth == null ? CompletableFuture.completedFuture(request)
                    : auth.header().thenApply(request::addHeader);
            authorized.thenCompose(http::singleRequest)
                    .thenCompose(response -> read(response, target, responses, materializer, timeout))
                    .whenComplete((answer, error) -> {
                        deadline.cancel();
                        if (error == null) {
                            result.complete(answer);
                        } else {
                            result.completeExceptionally(Failures.classify(error, target));
                        }
                    });
            return result;
        };
    }

    private static CompletionStage<Optional<JsonNode>> read(HttpResponse response, String target, Responses responses,
                                                            Materializer materializer, Duration timeout) {
        int status = response.status().intValue();
        if (status == 404) {
            return response.discardEntityBytes(materializer).completionStage().thenApply(done -> Optional.empty());
        }
        if (status < 200 || status >= 300) {
            return responses.outcome(response, target).thenApply(x -> {
                throw new CompletionException(new IllegalStateException("unreachable: a failed status completed normally"));
            });
        }
        return response.entity().withSizeLimit(MAX_ANSWER_BYTES).toStrict(timeout.toMillis(), materializer).thenApply(strict -> {
            try {
                return Optional.of(JSON.readTree(strict.getData().toArray()));
            } catch (IOException e) {
                throw new CompletionException(new PermanentException("lookup-answer", target + " answered with no JSON: "
                        + e.getMessage()));
            }
        });
    }
}
