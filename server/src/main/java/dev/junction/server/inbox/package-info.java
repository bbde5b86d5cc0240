/** The inbox: durable, deduplicated, event-sourced partitions of accepted envelopes, and the path from a source into them. */
package dev.junction.server.inbox;
