/** The Junction server: wiring of configuration, inbox, delivery and the HTTP API. */
package dev.junction.server;
