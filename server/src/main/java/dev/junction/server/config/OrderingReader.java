package dev.junction.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import dev.junction.connectors.api.KeyRule;
import java.util.Set;

/** Reads an integration's {@code ordering = none | per-key} and {@code partition-key = "<rule>"}. */
final class OrderingReader {
    static final String ORDERING = "ordering";
    static final String PARTITION_KEY = "partition-key";

    private OrderingReader() {}

    /** The ordering, {@link OrderingSettings#NONE} without either key, or null after adding the problems. */
    static OrderingSettings read(Config integration, String path, SourceSettings source, Problems problems) {
        boolean perKey = false;
        boolean ok = true;
        if (integration.hasPath(ORDERING)) {
            Object value = integration.getValue(ORDERING).unwrapped();
            if (integration.getValue(ORDERING).valueType() != ConfigValueType.STRING || !Set.of("none", "per-key").contains(value)) {
                problems.at(integration, ORDERING, path + "." + ORDERING, "must be none or per-key");
                return null;
            }
            perKey = value.equals("per-key");
        }
        KeyRule rule = null;
        if (integration.hasPath(PARTITION_KEY)) {
            String at = path + "." + PARTITION_KEY;
            if (!perKey) {
                problems.at(integration, PARTITION_KEY, at, "a partition key orders messages only with ordering = per-key; "
                        + "add ordering = per-key or remove partition-key");
                ok = false;
            }
            if (integration.getValue(PARTITION_KEY).valueType() != ConfigValueType.STRING) {
                problems.at(integration, PARTITION_KEY, at, "must be a string such as \"json:/orderId\" or \"header:X-Order-Id\"");
                return null;
            }
            try {
                rule = KeyRule.parse(integration.getString(PARTITION_KEY), Set.of());
            } catch (IllegalArgumentException e) {
                problems.at(integration, PARTITION_KEY, at, e.getMessage());
                return null;
            }
        } else if (perKey && source != null && !source.factory().setsPartitionKey(source.system().config(), source.settings())) {
            problems.at(integration, ORDERING, path + "." + ORDERING, "per-key ordering needs partition-key = \"json:<pointer>\" "
                    + "or \"header:<name>\": the " + source.kind() + " source sets no partition key of its own");
            ok = false;
        }
        return ok ? (perKey ? new OrderingSettings(true, rule) : OrderingSettings.NONE) : null;
    }
}
