package dev.junction.connectors.mqtt;

import com.typesafe.config.Config;
import dev.junction.connectors.api.KeyRule;
import dev.junction.connectors.api.SourceContext;
import java.time.Duration;
import java.util.Set;

/**
 * One {@code mqtt} source's settings, read once from its validated block (defaults applied). Immutable.
 *
 * @param subscription   what is subscribed to: the topic filter, or {@code $share/<group>/<filter>}
 * @param qos            the subscription's QoS (1 or 2)
 * @param keys           where each message's idempotency key is
 * @param clientId       the client id, which names the broker's session
 * @param sessionExpiry  how long the broker keeps the session while Junction is away
 * @param receiveMaximum messages unacknowledged at once
 */
record MqttSourceSettings(String subscription, int qos, KeyRule keys, String clientId, Duration sessionExpiry, int receiveMaximum) {

    static MqttSourceSettings from(Config block, SourceContext context) {
        String group = block.getString("shared-group");
        String topic = block.getString("topic");
        String clientId = block.getString("client-id");
        if (clientId.isEmpty()) {
            clientId = "junction-" + context.integration();
            if (!group.isEmpty()) {
                var node = context.actorSystem().address();
                clientId += "-" + node.getHost().orElse("local") + "-" + node.getPort().map(String::valueOf).orElse("0");
            }
        }
        return new MqttSourceSettings(group.isEmpty() ? topic : "$share/" + group + "/" + topic, block.getInt("qos"),
                KeyRule.parse(block.getString("idempotency-key"), Set.of()), clientId, block.getDuration("session-expiry"),
                block.getInt("receive-maximum"));
    }
}
