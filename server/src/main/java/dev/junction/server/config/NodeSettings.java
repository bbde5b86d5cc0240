package dev.junction.server.config;

import java.util.List;

/**
 * This node's place in the Pekko cluster: {@code junction.node}.
 *
 * @param host      the host remoting binds and advertises
 * @param port      the remoting port, 0 for any free one
 * @param seedNodes {@code host:port} remoting addresses to join; empty: this node forms a cluster of its own
 * @param discovery ("" or {@code kubernetes-api}) how the node finds the cluster: seed nodes (or alone), or cluster bootstrap
 * @param managementPort Pekko Management's port ({@code /ready}, {@code /alive}, {@code /cluster/members}) on {@code host}
 */
public record NodeSettings(String host, int port, List<String> seedNodes, int managementPort, String discovery) {

    /** True when the node finds its peers through Pekko Management cluster bootstrap on the Kubernetes API. */
    public boolean bootstrapsOnKubernetes() {
        return "kubernetes-api".equals(discovery);
    }
}
