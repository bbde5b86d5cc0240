package dev.junction.server.config;

import com.networknt.schema.JsonSchema;
import java.nio.file.Path;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One channel: {@code junction.channels.<name>}, a canonical message model that integrations publish to (a target
 * {@code { channel = <name> }}) and subscribe to (a source {@code { channel = <name> }}).
 *
 * @param name     the channel's name
 * @param version  the current schema version: what a publisher publishes unless its target names another
 * @param versions every configured schema version, the current one included; like a map step's mapping versions
 */
public record ChannelSettings(String name, int version, SortedMap<Integer, Schema> versions) {
    public ChannelSettings {
        versions = Collections.unmodifiableSortedMap(new TreeMap<>(versions));
    }

    /** One version of the channel's schema: its file and the compiled schema (the validate step's validator). */
    public record Schema(int version, Path file, JsonSchema schema) {}

    /**
     * A target that publishes to a channel: {@code { channel = orders, version = 1 }}.
     *
     * @param channel the channel
     * @param version the schema version its messages are published as (and validated against)
     */
    public record Publish(ChannelSettings channel, int version) {
        public Schema schema() {
            return channel.versions().get(version);
        }
    }

    /**
     * A source that subscribes to a channel: {@code source { channel = orders, versions = [1] }}.
     *
     * @param channel  the channel's name
     * @param versions the schema versions it accepts; empty: every version
     */
    public record Subscription(String channel, java.util.Set<Integer> versions) {
        public Subscription {
            versions = java.util.Set.copyOf(versions);
        }

        public boolean accepts(int version) {
            return versions.isEmpty() || versions.contains(version);
        }
    }
}
