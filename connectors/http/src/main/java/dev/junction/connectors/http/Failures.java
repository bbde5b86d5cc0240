package dev.junction.connectors.http;

import dev.junction.connectors.api.ConnectorException;
import dev.junction.connectors.api.RetriableException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.stream.BufferOverflowException;
import org.apache.pekko.stream.StreamTcpException;
import org.apache.pekko.stream.scaladsl.TcpIdleTimeoutException;

/**
 * Classifies a failed attempt that produced no HTTP status: every such failure is transient from the sink's point of view,
 * so each becomes a {@link RetriableException} with a stable error class. Stateless.
 */
final class Failures {

    private Failures() {}

    /** The deadline of one attempt passed before the target answered in full. */
    static RetriableException timeout(String target, java.time.Duration timeout) {
        return new RetriableException("timeout", target + " did not answer in full within " + timeout.toMillis() + "ms", null);
    }

    /** {@code error} as a {@link ConnectorException}; already classified failures are returned as they are. */
    static ConnectorException classify(Throwable error, String target) {
        Throwable cause = unwrap(error);
        if (cause instanceof ConnectorException classified) {
            return classified;
        }
        if (cause instanceof BufferOverflowException) {
            // Pekko's pool queue (max-open-requests) is full: the target is slower than the server sends; back off.
            return new RetriableException("overloaded", target + ": too many requests waiting for a connection", cause);
        }
        if (cause instanceof TcpIdleTimeoutException || cause instanceof TimeoutException) {
            return new RetriableException("timeout", target + ": " + cause.getMessage(), cause);
        }
        if (isConnectFailure(cause)) {
            String why = rootCause(cause) instanceof UnknownHostException ? "unknown host " : "";
            return new RetriableException("connect-failed", target + ": could not connect: " + why + rootMessage(cause), cause);
        }
        return new RetriableException("io", target + ": " + cause.getClass().getSimpleName() + ": " + rootMessage(cause), cause);
    }

    private static boolean isConnectFailure(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof NoRouteToHostException) {
                return true;
            }
            // Pekko reports a failed connect as a StreamTcpException that names the Connect command and may carry no cause.
            if (t instanceof StreamTcpException && String.valueOf(t.getMessage()).startsWith("Tcp command [Connect(")) {
                return true;
            }
        }
        return false;
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static Throwable rootCause(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static String rootMessage(Throwable error) {
        Throwable root = rootCause(error);
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
