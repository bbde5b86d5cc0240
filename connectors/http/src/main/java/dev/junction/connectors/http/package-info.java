/** The {@code http} connector: a webhook source pushed to over the server's port, and a REST sink that makes one attempt per call. */
package dev.junction.connectors.http;
