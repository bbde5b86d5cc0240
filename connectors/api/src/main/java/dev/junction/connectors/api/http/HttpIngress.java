package dev.junction.connectors.api.http;

import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceInstance;
import java.util.concurrent.CompletionStage;

/**
 * A source that is pushed to over the server's own HTTP port (a webhook). The server owns the listener, reads the body up to
 * {@link #maxBodyBytes()} (answering 413 beyond it) and routes {@code POST /webhooks/<path>} here; the connector decides what
 * the request means and which {@link HttpReply} answers it.
 *
 * <p>{@link #handle} is called on a Pekko dispatcher thread for every request, concurrently: it must not block. It answers a
 * success only after {@link SourceContext#ingestor()} has accepted the message.
 */
public interface HttpIngress extends SourceInstance {

    /** The path below {@code /webhooks/}, without leading or trailing slash, unique across integrations. */
    String path();

    /** The largest body accepted, in bytes. */
    long maxBodyBytes();

    /** Answers one request. */
    CompletionStage<HttpReply> handle(HttpIngressRequest request);
}
