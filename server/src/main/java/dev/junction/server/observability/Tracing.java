package dev.junction.server.observability;

import dev.junction.connectors.api.TraceContext;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import kamon.Kamon;
import kamon.trace.Identifier;
import kamon.trace.Span;
import kamon.trace.SpanBuilder;
import kamon.trace.Trace;

/**
 * The spans of a message's trace that Junction makes: its receipt (a source's request until the inbox's durable answer) and
 * each delivery attempt. Each span stands for a W3C traceparent: the receipt's is what the message keeps, so its attempts hang
 * under it; an attempt's is what the sink sends, so the target's spans hang under the attempt. When spans are exported (OTLP,
 * {@link Observability}) they are Kamon spans with those ids; otherwise only the traceparents are made (a new span id per
 * attempt, the sender's traceparent kept as it came), and nothing is recorded. Thread-safe.
 */
public final class Tracing {
    private static volatile boolean exporting;

    private Tracing() {}

    /** One span: the headers that carry it on, finished once with its outcome. */
    public interface Step {
        /** {@code headers} of the message with this span's traceparent. */
        Map<String, String> headers();

        /**
         * Ends the span; {@code failure} is null when the step succeeded, else its class ({@code http-503}, {@code timeout}):
         * never a detail that could quote the message, since spans leave the node unmasked.
         */
        void finish(String failure);
    }

    static void exporting(boolean on) {
        exporting = on;
    }

    /** The receipt of a message of {@code integration} whose source gave {@code headers} (a trace is started when it has none). */
    public static Step receive(String integration, Map<String, String> headers) {
        if (!exporting) {
            if (TraceContext.traceId(headers) != null) {
                return new Untraced(headers);
            }
            return new Untraced(with(headers, TraceContext.traceparent(null)));
        }
        return started(Kamon.serverSpanBuilder("receive " + integration, "junction").tag("junction.integration", integration), headers);
    }

    /** Attempt {@code attempt} of message {@code messageId} at {@code target} of {@code system}, in the message's trace. */
    public static Step attempt(String integration, String target, String system, String messageId, int attempt, Map<String, String> headers) {
        if (!exporting) {
            return new Untraced(with(headers, TraceContext.traceparent(TraceContext.traceId(headers))));
        }
        return started(Kamon.clientSpanBuilder("deliver " + target, "junction").tag("junction.integration", integration)
                .tag("junction.target", target).tag("junction.system", system).tag("junction.message_id", messageId)
                .tag("junction.attempt", attempt), headers);
    }

    /** A span under the one {@code headers} name (a new trace when none), its traceparent put in their place. */
    private static Step started(SpanBuilder builder, Map<String, String> headers) {
        String traceId = TraceContext.traceId(headers);
        boolean sampled = TraceContext.sampled(headers);
        Trace.SamplingDecision decision = sampled ? kamon.trace.Trace$SamplingDecision$Sample$.MODULE$
                : kamon.trace.Trace$SamplingDecision$DoNotSample$.MODULE$;
        builder.ignoreParentFromContext().doNotTrackMetrics().samplingDecision(decision);
        if (traceId != null) {
            Identifier.Scheme ids = Kamon.identifierScheme();
            Trace trace = Trace.create(ids.traceIdFactory().from(traceId), decision);
            builder.asChildOf(new Span.Remote(ids.spanIdFactory().from(TraceContext.spanId(headers)), kamon.trace.Identifier$.MODULE$.Empty(), trace));
        }
        Span span = builder.start(Instant.now());
        String traceparent = TraceContext.traceparent(span.trace().id().string(), span.id().string(), sampled);
        return new Traced(span, with(headers, traceparent));
    }

    private static Map<String, String> with(Map<String, String> headers, String traceparent) {
        Map<String, String> copy = new HashMap<>(headers);
        copy.put(TraceContext.HEADER, traceparent);
        return Map.copyOf(copy);
    }

    private record Untraced(Map<String, String> headers) implements Step {
        @Override
        public void finish(String failure) {}
    }

    private record Traced(Span span, Map<String, String> headers) implements Step {
        @Override
        public void finish(String failure) {
            if (failure != null) {
                span.fail(failure);
            }
            span.finish();
        }
    }
}
