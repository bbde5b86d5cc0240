package dev.junction.connectors.http;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Query parameters and relative links of poll URLs. Stateless. */
final class Urls {

    private Urls() {}

    /** {@code url} with query parameter {@code name} set to {@code value} (replacing it if present), the value form-encoded. */
    static String withParam(String url, String name, String value) {
        int hash = url.indexOf('#');
        String base = hash < 0 ? url : url.substring(0, hash);
        int question = base.indexOf('?');
        String path = question < 0 ? base : base.substring(0, question);
        String query = question < 0 ? "" : base.substring(question + 1);
        StringBuilder kept = new StringBuilder();
        for (String pair : query.split("&")) {
            if (pair.isEmpty() || pair.equals(name) || pair.startsWith(name + "=")) {
                continue;
            }
            kept.append(kept.length() == 0 ? "" : "&").append(pair);
        }
        kept.append(kept.length() == 0 ? "" : "&").append(encode(name)).append('=').append(encode(value));
        return path + "?" + kept;
    }

    /** {@code link} resolved against {@code pageUrl} (a link may be absolute, root-relative or relative). */
    static String resolve(String pageUrl, String link) {
        return URI.create(pageUrl).resolve(link.trim()).toString();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
