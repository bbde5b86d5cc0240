package dev.junction.server.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * The dashboard's static files, served from the jar: {@code /} is its page, {@code /dashboard/<file>} its scripts and styles
 * (resources under {@code dev/junction/server/dashboard/}). The files hold no data: the page reads everything from the admin
 * API with the caller's own token, so they are served to anyone who can reach the port.
 */
public final class Dashboard {
    public static final String PREFIX = "/dashboard/";
    private static final Pattern FILE = Pattern.compile("[a-z0-9-]+\\.(html|js|css|svg)");
    private static final Map<String, ContentType> TYPES = Map.of(
            "html", ContentTypes.TEXT_HTML_UTF8,
            "js", MediaTypes.APPLICATION_JAVASCRIPT.toContentType(HttpCharsets.UTF_8),
            "css", MediaTypes.TEXT_CSS.toContentType(HttpCharsets.UTF_8),
            "svg", MediaTypes.IMAGE_SVG_XML.toContentType());

    private Dashboard() {}

    /** Whether {@code path} is the dashboard's. */
    public static boolean serves(String path) {
        return path.equals("/") || path.startsWith(PREFIX);
    }

    /** The file for {@code path}, or a 404 problem. */
    public static HttpResponse file(String path) {
        String name = path.equals("/") ? "index.html" : path.substring(PREFIX.length());
        if (FILE.matcher(name).matches()) {
            try (InputStream in = Dashboard.class.getResourceAsStream("/dev/junction/server/dashboard/" + name)) {
                if (in != null) {
                    String extension = name.substring(name.lastIndexOf('.') + 1);
                    return HttpResponse.create().addHeader(RawHeader.create("Cache-Control", "no-cache"))
                            .withEntity(HttpEntities.create(TYPES.get(extension), in.readAllBytes()));
                }
            } catch (IOException e) {
                throw new IllegalStateException("the dashboard's " + name + " cannot be read from the jar", e);
            }
        }
        return ProblemResponses.problem(404, "not-found", "Not found", "the dashboard has no file " + name);
    }
}
