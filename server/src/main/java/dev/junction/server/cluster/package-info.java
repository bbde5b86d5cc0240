/** The node in its cluster: Pekko Management, health checks. */
package dev.junction.server.cluster;
