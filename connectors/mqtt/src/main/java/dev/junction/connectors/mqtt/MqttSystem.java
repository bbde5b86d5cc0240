package dev.junction.connectors.mqtt;

import com.typesafe.config.Config;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * A broker's connection settings, read once from the system's validated block. Immutable; {@link #client} makes a new
 * client, {@link #options} the options it connects with.
 */
record MqttSystem(String uri, String username, String password, Duration keepAlive, Duration connectionTimeout,
                  Duration reconnectDelay) {

    static MqttSystem from(Config system) {
        return new MqttSystem(system.getString("uri"), system.getString("username"), system.getString("password"),
                system.getDuration("keep-alive"), system.getDuration("connection-timeout"), system.getDuration("reconnect-delay"));
    }

    /**
     * Ends a client for good, connected or not. A client whose connect failed or timed out must not be tried again: Paho keeps
     * such a connect "in progress" and fails every later one with "Connect already in progress"; the next try takes a new client.
     */
    static void discard(MqttAsyncClient client) {
        try {
            client.disconnectForcibly(0, 1000, false);
        } catch (MqttException | RuntimeException ignored) {
            // not connected
        }
        try {
            client.close(true);
        } catch (MqttException | RuntimeException ignored) {
            // closed already
        }
    }

    static boolean isValidUri(String uri) {
        try {
            java.net.URI parsed = new java.net.URI(uri);
            return parsed.getHost() != null && (parsed.getPath() == null || parsed.getPath().isEmpty() || "/".equals(parsed.getPath()));
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    /** The broker's address, for logs and status. */
    String address() {
        java.net.URI parsed = java.net.URI.create(uri);
        return parsed.getHost() + ":" + (parsed.getPort() > 0 ? parsed.getPort() : 1883);
    }

    /**
     * A client named {@code clientId}. Its own state (packet ids in flight) is kept in memory: what must survive a crash is
     * the broker's session and Junction's inbox, not the client's.
     */
    MqttAsyncClient client(String clientId) throws MqttException {
        return new MqttAsyncClient(uri, clientId, new MemoryPersistence());
    }

    /**
     * Options for a session that outlives the connection by {@code sessionExpiry} ({@code cleanStart} false) or not. The
     * client does not reconnect by itself: the source and the sink do it, with back-off they report.
     */
    MqttConnectionOptions options(boolean cleanStart, Duration sessionExpiry, int receiveMaximum) {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(cleanStart);
        options.setSessionExpiryInterval(sessionExpiry.toSeconds());
        options.setReceiveMaximum(receiveMaximum);
        options.setKeepAliveInterval((int) keepAlive.toSeconds());
        options.setConnectionTimeout((int) Math.max(1, connectionTimeout.toSeconds()));
        options.setAutomaticReconnect(false);
        if (!username.isEmpty()) {
            options.setUserName(username);
        }
        if (!password.isEmpty()) {
            options.setPassword(password.getBytes(StandardCharsets.UTF_8));
        }
        return options;
    }
}
