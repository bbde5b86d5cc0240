/**
 * The HTTP side of the SPI: sources pushed to over the server's own port ({@link dev.junction.connectors.api.http.HttpIngress},
 * webhooks) and RFC 9457 problem documents. Only connectors that take HTTP requests need it.
 */
package dev.junction.connectors.api.http;
