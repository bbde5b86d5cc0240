package dev.junction.server.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP proxy on loopback between the node and its PostgreSQL journal, for {@code journal-down}: {@link #down} closes its port
 * and cuts every open connection (the database refuses connections, as far as the node can tell) until {@link #up} listens on
 * the same port again. Bytes pass through unchanged.
 */
final class JournalProxy implements AutoCloseable {
    private static final Pattern POSTGRES = Pattern.compile("jdbc:postgresql://([^/:,?]+)(?::(\\d+))?(/.*)");
    private final String upstreamHost;
    private final int upstreamPort;
    private final String rest;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final int port;
    private volatile ServerSocket listener;

    private JournalProxy(String host, int port, String rest) {
        this.upstreamHost = host;
        this.upstreamPort = port;
        this.rest = rest;
        this.listener = listen(0);
        this.port = listener.getLocalPort();
    }

    /** A proxy in front of the database of {@code url}; a usage error unless it is a one-host PostgreSQL URL. */
    static JournalProxy inFrontOf(String url) throws UsageException {
        Matcher m = POSTGRES.matcher(url);
        if (!m.matches()) {
            throw new UsageException("--scenario journal-down needs --journal jdbc:postgresql://<host>[:<port>]/<database> (a scratch "
                    + "database: the run writes its journal there); an embedded H2 journal cannot be made to refuse connections");
        }
        return new JournalProxy(m.group(1), m.group(2) == null ? 5432 : Integer.parseInt(m.group(2)), m.group(3));
    }

    /** The journal URL through the proxy. */
    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + rest;
    }

    synchronized void down() {
        if (listener != null) {
            closeQuietly(listener);
            listener = null;
        }
        open.forEach(JournalProxy::closeQuietly);
        open.clear();
    }

    synchronized void up() {
        if (listener == null) {
            listener = listen(port);
        }
    }

    private ServerSocket listen(int at) {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", at), 128);
            daemon("chaos-journal-accept", () -> accept(socket));
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException("the journal proxy cannot listen on 127.0.0.1:" + at, e);
        }
    }

    private void accept(ServerSocket socket) {
        while (!socket.isClosed()) {
            Socket client;
            try {
                client = socket.accept();
            } catch (IOException e) {
                continue; // closed by down(): the loop ends
            }
            try {
                Socket server = new Socket(upstreamHost, upstreamPort);
                open.add(client);
                open.add(server);
                daemon("chaos-journal-up", () -> pump(client, server));
                daemon("chaos-journal-down", () -> pump(server, client));
            } catch (IOException e) {
                closeQuietly(client); // the database refused: so does the proxy
            }
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side closed: close both below
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void daemon(String name, Runnable run) {
        Thread t = new Thread(run, name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        down();
    }
}
