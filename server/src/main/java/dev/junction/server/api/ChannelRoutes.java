package dev.junction.server.api;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.pathEndOrSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;

import dev.junction.server.config.ChannelSettings;
import dev.junction.server.config.IntegrationSettings;
import dev.junction.server.config.TargetSettings;
import dev.junction.server.delivery.Catalog;
import dev.junction.server.reload.Reloader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/channels}: each channel of the running configuration, its schema versions, the integrations that publish
 * to it (with the version each publishes) and those that subscribe (with the versions each accepts and its lag: the messages
 * waiting in its inbox, cluster-wide).
 */
final class ChannelRoutes {
    private final Reloader reloader;
    private final Catalog catalog;
    private final Function<String, CompletionStage<Integer>> pending;

    /** @param pending how many messages of an integration wait in its inbox */
    ChannelRoutes(Reloader reloader, Catalog catalog, Function<String, CompletionStage<Integer>> pending) {
        this.reloader = reloader;
        this.catalog = catalog;
        this.pending = pending;
    }

    record Schema(int version, String file) {}

    record Publisher(String integration, String target, int version) {}

    /** @param versions the versions it accepts; empty: every version */
    record Subscriber(String integration, List<Integer> versions, int lag) {}

    record Channel(String name, int version, List<Integer> versions, List<Schema> schemas, List<Publisher> publishers,
                   List<Subscriber> subscribers) {}

    Route route() {
        return pathPrefix("channels", () -> pathEndOrSingleSlash(() -> get(() ->
                onSuccess(channels(), items -> complete(AdminApi.json(200, Map.of("items", items)))))));
    }

    private CompletionStage<List<Channel>> channels() {
        Map<String, IntegrationSettings> current = catalog.current();
        java.util.Set<String> running = reloader.revisions().keySet(); // the catalog keeps removed integrations' revisions too
        List<CompletableFuture<Channel>> channels = new ArrayList<>();
        for (ChannelSettings channel : new java.util.TreeMap<>(reloader.channels()).values()) {
            List<Publisher> publishers = new ArrayList<>();
            current.values().stream().filter(i -> running.contains(i.name())).sorted(java.util.Comparator.comparing(IntegrationSettings::name))
                    .forEach(i -> {
                        for (TargetSettings t : i.targets()) {
                            if (t.channel() != null && t.channel().channel().name().equals(channel.name())) {
                                publishers.add(new Publisher(i.name(), t.name(), t.channel().version()));
                            }
                        }
                    });
            List<CompletableFuture<Subscriber>> subscribers = catalog.channels().subscribers(channel.name()).stream()
                    .map(name -> pending.apply(name).thenApply(lag -> new Subscriber(name, versions(current.get(name)), lag))
                            .toCompletableFuture())
                    .toList();
            channels.add(CompletableFuture.allOf(subscribers.toArray(CompletableFuture[]::new)).thenApply(x -> new Channel(channel.name(),
                    channel.version(), List.copyOf(channel.versions().keySet()), channel.versions().values().stream()
                    .map(s -> new Schema(s.version(), s.file().getFileName().toString())).toList(), publishers,
                    subscribers.stream().map(CompletableFuture::join).toList())));
        }
        return CompletableFuture.allOf(channels.toArray(CompletableFuture[]::new))
                .thenApply(x -> channels.stream().map(CompletableFuture::join).toList());
    }

    private static List<Integer> versions(IntegrationSettings subscriber) {
        return subscriber == null || subscriber.channel() == null ? List.of() : new java.util.TreeSet<>(subscriber.channel().versions()).stream().toList();
    }
}
