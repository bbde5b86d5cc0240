package dev.junction.connectors.amqp;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.typesafe.config.Config;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A broker's connection settings, read once from the system's validated block. Immutable; {@link #connect} opens a new
 * connection with automatic recovery (the client reconnects, reopens channels and consumers by itself).
 */
record AmqpSystem(String uri, Duration heartbeat, Duration connectionTimeout, Duration recoveryInterval) {

    static AmqpSystem from(Config system) {
        return new AmqpSystem(system.getString("uri"), system.getDuration("heartbeat"), system.getDuration("connection-timeout"),
                system.getDuration("recovery-interval"));
    }

    static boolean isValidUri(String uri) {
        try {
            new ConnectionFactory().setUri(uri);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** The broker's address without credentials, for logs and status. */
    String address() {
        java.net.URI parsed = java.net.URI.create(uri);
        String vhost = parsed.getRawPath() == null || parsed.getRawPath().length() <= 1 ? "/" : parsed.getRawPath().substring(1);
        return parsed.getHost() + ":" + (parsed.getPort() > 0 ? parsed.getPort() : 5672) + " vhost " + vhost;
    }

    /** Opens a connection named {@code name} (the broker shows it); its threads are named after it too. */
    Connection connect(String name) throws IOException, TimeoutException {
        ConnectionFactory factory = new ConnectionFactory();
        try {
            factory.setUri(uri);
        } catch (Exception e) {
            throw new IOException("invalid AMQP URI", e); // validated at load: not reached
        }
        factory.setRequestedHeartbeat((int) heartbeat.toSeconds());
        factory.setConnectionTimeout((int) connectionTimeout.toMillis());
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(recoveryInterval.toMillis());
        factory.setThreadFactory(threads(name));
        return factory.newConnection(name);
    }

    private static ThreadFactory threads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "amqp-" + name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
