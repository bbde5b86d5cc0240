package dev.junction.connectors.api.http;

import java.util.Map;
import java.util.Optional;

/**
 * An HTTP request routed to an {@link HttpIngress}, already read in full.
 *
 * @param method      the HTTP method, upper-case
 * @param path        the path below {@code /webhooks/}
 * @param contentType the media type without parameters ({@code application/json}), empty when the request had no body type
 * @param headers     header values by lower-case name (the first value when a header repeats)
 * @param body        the raw body as received
 */
public record HttpIngressRequest(String method, String path, String contentType, Map<String, String> headers, byte[] body) {

    /** A header's value by case-insensitive name. */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(java.util.Locale.ROOT)));
    }
}
