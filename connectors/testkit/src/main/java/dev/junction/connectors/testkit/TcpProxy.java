package dev.junction.connectors.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy in front of a service, for tests that must cut a client's connection from outside the client (as a
 * network does) without restarting the service: {@link #dropConnections()} closes every connection through it; new ones
 * are accepted at once. One thread per direction per connection; for tests only.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private volatile boolean paused;
    private volatile boolean hanging;
    /** Connections accepted while hanging: held open, never forwarded, never answered. */
    private final List<Socket> held = new CopyOnWriteArrayList<>();

    /** Starts a proxy on a free loopback port forwarding to {@code 127.0.0.1:targetPort}. */
    public TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "tcp-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                if (paused) {
                    client.close(); // as if the service were down
                    continue;
                }
                if (hanging) {
                    held.add(client); // as if the network swallowed every packet: the client's connect times out
                    continue;
                }
                Socket upstream;
                try {
                    upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                } catch (IOException refused) {
                    client.close();
                    continue;
                }
                open.add(client);
                open.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                if (!closed) {
                    continue;
                }
                return;
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // one side closed: close both
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Closes every connection through the proxy, as a network failure would. */
    public void dropConnections() {
        for (Socket s : open) {
            closeQuietly(s);
        }
        open.clear();
    }

    /** Drops every connection and refuses new ones until {@link #resume()}: the service looks down. */
    public void pause() {
        paused = true;
        dropConnections();
    }

    /**
     * Drops every connection, then accepts new ones but never forwards or answers them until {@link #resume()}: a half-dead
     * network, where a client's connect does not fail but times out.
     */
    public void hang() {
        hanging = true;
        dropConnections();
    }

    /**
     * Accepts and forwards new connections again. The connections held while hanging stay open and unanswered, as a half-dead
     * network leaves them, until the proxy closes: a client must give up on them by itself.
     */
    public void resume() {
        paused = false;
        hanging = false;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        dropConnections();
        for (Socket s : held) {
            closeQuietly(s);
        }
        held.clear();
    }
}
