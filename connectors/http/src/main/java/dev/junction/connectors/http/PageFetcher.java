package dev.junction.connectors.http;

import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SystemCalls;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.Materializer;

/**
 * Fetches one page: a GET with the system's credentials, through the system's gates ({@link SystemCalls}), classified like a
 * delivery (429 throttled with its {@code Retry-After}, 408/5xx retriable, other 4xx permanent) and read whole. Thread-safe;
 * never blocks.
 */
final class PageFetcher {
    /** The largest page read; a bigger one fails the run (ask for smaller pages). */
    static final int MAX_PAGE_BYTES = 64 * 1024 * 1024;

    private final PollSettings settings;
    private final SystemCalls calls;
    private final ActorSystem<?> system;
    private final Http http;
    private final Materializer materializer;
    private final Responses responses;
    private final OutboundAuth auth;

    PageFetcher(PollSettings settings, SourceContext context) {
        this.settings = settings;
        this.calls = context.calls();
        this.system = context.actorSystem();
        this.http = Http.get(system);
        this.materializer = Materializer.matFromSystem(system);
        this.responses = new Responses(materializer, Clock.systemUTC());
        this.auth = OutboundAuth.of(context.systemConfig(), system, settings.timeout());
    }

    /** The page at {@code url}; fails with a {@link dev.junction.connectors.api.ConnectorException}. */
    CompletionStage<Page> fetch(String url) {
        return calls.call(() -> attempt(url));
    }

    private CompletionStage<Page> attempt(String url) {
        String target = "GET " + url;
        CompletableFuture<Page> result = new CompletableFuture<>();
        Cancellable deadline = system.scheduler().scheduleOnce(settings.timeout(),
                () -> result.completeExceptionally(Failures.timeout(target, settings.timeout())), system.executionContext());
        HttpRequest request = HttpRequest.GET(url).addHeader(RawHeader.create("Accept", "application/json"));
        CompletionStage<HttpRequest> authorized = auth == null ? CompletableFuture.completedFuture(request)
                : auth.header().thenApply(request::addHeader);
        authorized.thenCompose(http::singleRequest).thenCompose(response -> read(response, url, target)).whenComplete((page, error) -> {
            deadline.cancel();
            if (error == null) {
                result.complete(page);
            } else {
                result.completeExceptionally(Failures.classify(error, target));
            }
        });
        return result;
    }

    private CompletionStage<Page> read(HttpResponse response, String url, String target) {
        int status = response.status().intValue();
        if (status < 200 || status >= 300) {
            return responses.outcome(response, target).thenApply(x -> {
                throw new CompletionException(new IllegalStateException("unreachable: a failed status completed normally"));
            });
        }
        Optional<String> link = response.getHeader("Link").map(HttpHeader::value);
        return response.entity().withSizeLimit(MAX_PAGE_BYTES).toStrict(settings.timeout().toMillis(), materializer)
                .thenApply(strict -> Page.parse(strict.getData().toArray(), settings.items(), link, url));
    }
}
