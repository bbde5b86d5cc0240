package dev.junction.server.config;

import com.typesafe.config.Config;
import dev.junction.connectors.api.SinkFactory;

/**
 * One target of an integration: {@code { system = ..., <connector> { ... } }} or {@code { channel = ... }}.
 *
 * @param name     the target's name within its integration: its {@code name} setting, else the system's name
 * @param system   the system delivered to; null for a channel target
 * @param factory  the system's connector's sink factory; null for a channel target
 * @param settings the connector block, defaults applied
 * @param when     the target's routing predicate on the message after the steps; empty: every message goes to it
 * @param channel  for {@code { channel = ... }}: the channel it publishes to and the schema version; else null
 */
public record TargetSettings(String name, SystemSettings system, SinkFactory factory, Config settings, java.util.Optional<Predicate> when,
                             ChannelSettings.Publish channel) {

    /** What the target delivers to, for views: the system's name, or {@code channel:<name>}. */
    public String destination() {
        return channel != null ? "channel:" + channel.channel().name() : system.name();
    }
}
