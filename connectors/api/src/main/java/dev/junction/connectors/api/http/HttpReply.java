package dev.junction.connectors.api.http;

import java.util.Map;

/**
 * What an {@link HttpIngress} answers. Build problems (RFC 9457) with {@link #problem}; the server sets
 * {@code application/problem+json} for them.
 *
 * @param status      the HTTP status
 * @param contentType the media type of {@code body}
 * @param headers     extra response headers
 * @param body        the response body
 */
public record HttpReply(int status, String contentType, Map<String, String> headers, byte[] body) {

    public static final String PROBLEM_JSON = "application/problem+json";

    /** A JSON reply. */
    public static HttpReply json(int status, Map<String, String> headers, byte[] json) {
        return new HttpReply(status, "application/json", headers, json);
    }

    /** An {@code application/problem+json} reply with a type, title and detail. */
    public static HttpReply problem(int status, String type, String title, String detail, Map<String, String> headers) {
        return new HttpReply(status, PROBLEM_JSON, headers, Problems.json(status, type, title, detail));
    }
}
