package dev.junction.server.config;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Refuses a loop through channels: an integration that subscribes to a channel and publishes (itself, or through other
 * integrations) to the same channel would feed its own messages back forever, each under a new derived key.
 */
final class ChannelGraph {
    private ChannelGraph() {}

    static void check(Map<String, IntegrationSettings> integrations, Config junction, Problems problems) {
        Map<String, List<String>> next = new HashMap<>(); // channel → channels its subscribers publish to
        for (IntegrationSettings integration : integrations.values()) {
            if (integration.channel() == null) {
                continue;
            }
            for (TargetSettings target : integration.targets()) {
                if (target.channel() != null) {
                    next.computeIfAbsent(integration.channel().channel(), c -> new ArrayList<>()).add(target.channel().channel().name());
                }
            }
        }
        for (IntegrationSettings integration : integrations.values()) {
            if (integration.channel() == null) {
                continue;
            }
            String start = integration.channel().channel();
            for (TargetSettings target : integration.targets()) {
                if (target.channel() != null && reaches(target.channel().channel().name(), start, next, new HashSet<>())) {
                    Config block = junction.getConfig("integrations." + ConfigLoader.quoted(integration.name()));
                    problems.at(block, "targets", "junction.integrations." + ConfigLoader.quoted(integration.name()) + ".targets",
                            "publishes to channel " + target.channel().channel().name() + ", which leads back to channel " + start
                                    + " it subscribes to: its messages would loop forever");
                }
            }
        }
    }

    private static boolean reaches(String from, String goal, Map<String, List<String>> next, Set<String> seen) {
        if (from.equals(goal)) {
            return true;
        }
        if (!seen.add(from)) {
            return false;
        }
        for (String to : next.getOrDefault(from, List.of())) {
            if (reaches(to, goal, next, seen)) {
                return true;
            }
        }
        return false;
    }
}
