/** The {@code kafka} connector: a consumer-group source that commits only what the inbox holds, and an idempotent producer sink. */
package dev.junction.connectors.kafka;
