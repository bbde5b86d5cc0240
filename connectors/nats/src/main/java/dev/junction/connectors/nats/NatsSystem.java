package dev.junction.connectors.nats;

import com.typesafe.config.Config;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;

/**
 * A server's connection settings, read once from the system's validated block. Immutable; {@link #connect} opens a new
 * connection that reconnects by itself, for ever, reporting each change to the listener.
 */
record NatsSystem(String url, Duration connectionTimeout, Duration reconnectWait) {

    static NatsSystem from(Config system) {
        return new NatsSystem(system.getString("url"), system.getDuration("connection-timeout"), system.getDuration("reconnect-wait"));
    }

    static boolean isValidUrl(String url) {
        try {
            java.net.URI parsed = new java.net.URI(url.trim());
            return ("nats".equals(parsed.getScheme()) || "tls".equals(parsed.getScheme())) && parsed.getHost() != null;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    /** The servers without credentials, for logs and status. */
    String address() {
        return java.util.Arrays.stream(url.split(",")).map(u -> {
            java.net.URI parsed = java.net.URI.create(u.trim());
            return parsed.getHost() + ":" + (parsed.getPort() > 0 ? parsed.getPort() : 4222);
        }).reduce((a, b) -> a + "," + b).orElse(url);
    }

    /** Opens a connection named {@code name} (the server shows it). */
    Connection connect(String name, ConnectionListener listener) throws IOException, InterruptedException {
        Options options = new Options.Builder()
                .servers(java.util.Arrays.stream(url.split(",")).map(String::trim).toArray(String[]::new))
                .connectionName(name)
                .connectionTimeout(connectionTimeout)
                .reconnectWait(reconnectWait)
                .maxReconnects(-1)
                .connectionListener(listener)
                .errorListener(new io.nats.client.ErrorListener() {}) // the default one prints to stderr
                .build();
        return Nats.connect(options);
    }
}
