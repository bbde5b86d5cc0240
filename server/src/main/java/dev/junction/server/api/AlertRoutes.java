package dev.junction.server.api;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.pathEndOrSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;

import dev.junction.server.observability.Alerts;
import java.util.Map;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code GET /api/v1/alerts}: the built-in alerts firing, and those resolved in the last day. */
final class AlertRoutes {
    private final Alerts alerts;

    AlertRoutes(Alerts alerts) {
        this.alerts = alerts;
    }

    Route route() {
        return pathPrefix("alerts", () -> pathEndOrSingleSlash(() -> get(() -> complete(AdminApi.json(200, Map.of("items", alerts.list()))))));
    }
}
