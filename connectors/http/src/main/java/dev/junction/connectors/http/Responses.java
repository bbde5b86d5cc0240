package dev.junction.connectors.http;

import dev.junction.connectors.api.ConnectorException;
import dev.junction.connectors.api.PermanentException;
import dev.junction.connectors.api.RetriableException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.util.ByteString;

/**
 * Turns a target's response into the attempt's outcome, and always consumes the response entity: an unread entity holds
 * its pooled connection until Pekko's subscription timeout, which stalls the pool under load. Thread-safe and stateless beyond
 * its materializer; one per sink.
 */
final class Responses {
    /** Characters of an error body kept in the failure message: enough to show the target's reason, small enough to store. */
    static final int SNIPPET_CHARS = 300;
    // UTF-8 needs at most 4 bytes a character; the rest of the body is read and dropped.
    private static final int SNIPPET_BYTES = SNIPPET_CHARS * 4;

    private final Materializer materializer;
    private final Clock clock;

    Responses(Materializer materializer, Clock clock) {
        this.materializer = materializer;
        this.clock = clock;
    }

    /** Completes normally on 2xx; otherwise fails with the {@link ConnectorException} the status calls for. */
    CompletionStage<Void> outcome(HttpResponse response, String target) {
        int status = response.status().intValue();
        if (status >= 200 && status < 300) {
            // The status already confirms the effect: a body that breaks off afterwards does not undo it.
            return response.discardEntityBytes(materializer).completionStage().handle((done, error) -> null);
        }
        Duration retryAfter = response.getHeader("Retry-After").map(HttpHeader::value)
                .flatMap(value -> RetryAfter.parse(value, clock)).orElse(null);
        String answered = target + " answered " + status + " " + response.status().reason();
        return snippet(response).thenApply(body -> {
            String message = body.isEmpty() ? answered : answered + ": " + body;
            throw new CompletionException(failure(status, message, retryAfter));
        });
    }

    private static ConnectorException failure(int status, String message, Duration retryAfter) {
        String errorClass = "http-" + status;
        if (status == 429) {
            return RetriableException.throttled(errorClass, message, retryAfter);
        }
        if (status == 408 || status >= 500) {
            return new RetriableException(errorClass, message, null, retryAfter);
        }
        return new PermanentException(errorClass, message);
    }

    /** The start of the body as one line of text; reads the whole entity so the connection is reusable. */
    private CompletionStage<String> snippet(HttpResponse response) {
        return response.entity().getDataBytes()
                .runFold(ByteString.emptyByteString(), (kept, chunk) -> kept.size() >= SNIPPET_BYTES ? kept
                        : kept.concat(chunk.take(SNIPPET_BYTES - kept.size())), materializer)
                .thenApply(bytes -> oneLine(new String(bytes.toArray(), StandardCharsets.UTF_8)))
                .exceptionally(error -> ""); // the status decides; a body that breaks off only loses the snippet
    }

    private static String oneLine(String text) {
        String line = text.replaceAll("[\\p{Cntrl}\\s]+", " ").trim();
        return line.length() > SNIPPET_CHARS ? line.substring(0, SNIPPET_CHARS) + "..." : line;
    }
}
