/** The HTTP listener: webhooks and, later, the admin API; every error answered as application/problem+json. */
package dev.junction.server.api;
