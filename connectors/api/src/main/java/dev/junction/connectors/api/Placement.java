package dev.junction.connectors.api;

/** Where in a cluster a source runs; asked of {@link SourceFactory#placement} for each source while the configuration loads. */
public enum Placement {

    /**
     * On every node at once: push sources (each node's HTTP listener takes webhooks) and queue consumers (the broker spreads
     * messages over the consumers, and each acknowledges its own).
     */
    EVERY_NODE,

    /**
     * On exactly one node of the cluster, started again on another when that node leaves or dies: a source that must have a
     * single reader, such as a polling loop, a replication slot or a batch schedule. Two readers would fetch everything twice
     * (deduplication would absorb it, at a cost) or fight over a slot. The source resumes from its {@link PositionStore},
     * so it must commit a position only once every message before it is durable.
     */
    ONE_NODE
}
