package dev.junction.server.api;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.parameterMap;
import static org.apache.pekko.http.javadsl.server.Directives.pathEndOrSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;

import dev.junction.server.delivery.Catalog;
import dev.junction.server.observability.Alerts;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/activity?minutes=60}: each integration's received, delivered and dead-lettered counts over the last minutes
 * and its last delivery, from the activity counts every node writes (what the dashboard's overview shows).
 */
final class ActivityRoutes {
    private final Alerts alerts;
    private final Catalog catalog;

    ActivityRoutes(Alerts alerts, Catalog catalog) {
        this.alerts = alerts;
        this.catalog = catalog;
    }

    Route route() {
        return pathPrefix("activity", () -> pathEndOrSingleSlash(() -> get(() -> parameterMap(params -> {
            DeadLetterFilter.checkKeys(params, List.of("minutes"));
            int minutes = minutes(params.getOrDefault("minutes", "60"));
            List<CompletableFuture<Alerts.Recent>> all = new TreeSet<>(catalog.names()).stream()
                    .map(name -> alerts.recent(name, minutes).toCompletableFuture()).toList();
            return onSuccess(CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)),
                    done -> complete(AdminApi.json(200, Map.of("items", all.stream().map(CompletableFuture::join).toList()))));
        }))));
    }

    private static int minutes(String text) {
        try {
            int minutes = Integer.parseInt(text);
            if (minutes >= 1 && minutes <= 1440) {
                return minutes;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiProblem.badRequest("'minutes' must be a whole number from 1 to 1440, not '" + text + "'");
    }
}
