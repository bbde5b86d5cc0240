package dev.junction.connectors.mqtt;

import com.typesafe.config.Config;
import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigProblem;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.KeyRule;
import dev.junction.connectors.api.Placement;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceFactory;
import dev.junction.connectors.api.SourceInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code mqtt} source kind: subscribes to one topic filter in a persistent session. Without a shared group it is a single
 * reader ({@link Placement#ONE_NODE}: one client id, one session, resumed by the node that takes it over); with
 * {@code shared-group} every node subscribes to {@code $share/<group>/<topic>} under a client id of its own and the broker
 * spreads the messages over them. Stateless and shared; {@link #create} only builds the {@link MqttSource}.
 */
final class MqttSourceFactory implements SourceFactory {

    static final ConfigField TOPIC = ConfigField.string("topic").required()
            .description("The topic filter to subscribe to; + and # wildcards as MQTT defines them.")
            .example("plant/+/orders")
            .check(MqttSourceFactory::isTopicFilter, "must be an MQTT topic filter: not empty, + and # only as whole levels, # last, "
                    + "no $share/ prefix (use shared-group)");

    static final ConfigField QOS = ConfigField.integer("qos").defaultValue(1)
            .description("The subscription's quality of service. Only 1 (at least once) keeps the promise: the broker keeps a "
                    + "QoS 1 message until Junction's PUBACK, sent once the inbox holds it; with QoS 2 the broker lets go of the "
                    + "message at the client's first answer (PUBREC), before Junction could make it durable, and QoS 0 never "
                    + "waits. Duplicates are the inbox's job.")
            .check((Integer q) -> q == 1, "must be 1: QoS 0 and 2 let the broker drop a message before the inbox holds it");

    static final ConfigField IDEMPOTENCY_KEY = KeyRule.field("idempotency-key").required()
            .description("Where each message's idempotency key is: header:<user property name> (an MQTT 5 user property) or "
                    + "json:<pointer> into the body. MQTT has no message id that survives a redelivery, so there is no native key.");

    static final ConfigField SHARED_GROUP = ConfigField.string("shared-group").defaultValue("")
            .description("Subscribe as a member of this shared subscription group ($share/<group>/<topic>), on every node of "
                    + "the cluster, each message going to one of them; empty: one subscriber, on one node of the cluster.")
            .check((String g) -> g.isEmpty() || g.chars().noneMatch(c -> c == '/' || c == '+' || c == '#'),
                    "must not contain /, + or #");

    static final ConfigField CLIENT_ID = ConfigField.string("client-id").defaultValue("")
            .description("The MQTT client id, which names the broker's session for this source. Empty: junction-<integration>, "
                    + "and with a shared group junction-<integration>-<node host>-<node port>, so each node has a session of "
                    + "its own (give cluster nodes fixed ports).")
            .check((String id) -> id.length() <= 128, "must be at most 128 characters");

    static final ConfigField SESSION_EXPIRY = ConfigField.duration("session-expiry").defaultValue("7d")
            .description("How long the broker keeps the session (its subscription and the messages queued for it) while "
                    + "Junction is not connected. Messages published while Junction is down for longer are lost at the broker.")
            .check((Duration d) -> d.toSeconds() >= 60 && d.toSeconds() <= 0xFFFFFFFEL, "must be from 1m to about 136 years");

    static final ConfigField RECEIVE_MAXIMUM = ConfigField.integer("receive-maximum").defaultValue(256)
            .description("Messages the broker sends before the first is acknowledged: the most in Junction's hands at once "
                    + "(the broker may allow fewer).")
            .check((Integer n) -> n >= 1 && n <= 65_535, "must be from 1 to 65535");

    static final ConfigSpec SPEC = ConfigSpec.of(
            "Subscribes to a topic filter in a persistent session; each message is acknowledged (PUBACK) only once the inbox "
                    + "holds it, so messages in flight or published while Junction is away wait at the broker.",
            TOPIC, QOS, IDEMPOTENCY_KEY, SHARED_GROUP, CLIENT_ID, SESSION_EXPIRY, RECEIVE_MAXIMUM);

    @Override
    public ConfigSpec spec() {
        return SPEC;
    }

    @Override
    public List<ConfigProblem> validate(Config systemConfig, Config settings, String settingsPath) {
        List<ConfigProblem> problems = new ArrayList<>();
        if (!settings.getString("client-id").isEmpty() && !settings.getString("shared-group").isEmpty()) {
            problems.add(ConfigProblem.of(settings.getValue("client-id"), settingsPath + ".client-id",
                    "cannot be fixed with a shared group: every node needs a session of its own; leave it out"));
        }
        return problems;
    }

    @Override
    public Set<String> claims(Config systemConfig, Config settings) {
        String group = settings.getString("shared-group");
        return Set.of("topic " + (group.isEmpty() ? "" : "$share/" + group + "/") + settings.getString("topic") + " of "
                + MqttSystem.from(systemConfig).address());
    }

    @Override
    public Placement placement(Config systemConfig, Config settings) {
        return settings.getString("shared-group").isEmpty() ? Placement.ONE_NODE : Placement.EVERY_NODE;
    }

    @Override
    public SourceInstance create(SourceContext context) {
        return new MqttSource(MqttSourceSettings.from(context.settings(), context), MqttSystem.from(context.systemConfig()), context);
    }

    static boolean isTopicFilter(String filter) {
        if (filter.isEmpty() || filter.length() > 65_535 || filter.startsWith("$share/") || filter.indexOf('\u0000') >= 0) {
            return false;
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
                return false;
            }
            if (level.contains("+") && !level.equals("+")) {
                return false;
            }
        }
        return true;
    }
}
