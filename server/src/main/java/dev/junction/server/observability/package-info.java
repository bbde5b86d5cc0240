/** What an operator sees of a running node: Kamon metrics in Prometheus format, built-in alerts, trace context. */
package dev.junction.server.observability;
