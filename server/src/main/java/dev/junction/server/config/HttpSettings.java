package dev.junction.server.config;

/** The HTTP listener for webhooks and the admin API: {@code junction.http}. */
public record HttpSettings(String iface, int port) {}
