package dev.junction.server.api;

import dev.junction.connectors.api.http.HttpReply;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/** Turns {@link HttpReply}s and errors into Pekko HTTP responses; the one place that writes problem+json. */
final class ProblemResponses {
    private static final ContentType PROBLEM_JSON = ContentTypes.parse("application/problem+json");

    private ProblemResponses() {}

    static HttpResponse problem(int status, String type, String title, String detail) {
        return toResponse(HttpReply.problem(status, type, title, detail, Map.of()));
    }

    static HttpResponse toResponse(HttpReply reply) {
        ContentType type = HttpReply.PROBLEM_JSON.equals(reply.contentType()) ? PROBLEM_JSON
                : "application/json".equals(reply.contentType()) ? ContentTypes.APPLICATION_JSON : ContentTypes.parse(reply.contentType());
        HttpResponse response = HttpResponse.create().withStatus(StatusCodes.get(reply.status()))
                .withEntity(HttpEntities.create(type, reply.body()));
        for (Map.Entry<String, String> header : reply.headers().entrySet()) {
            response = response.addHeader(RawHeader.create(header.getKey(), header.getValue()));
        }
        return response;
    }
}
