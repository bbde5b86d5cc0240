package dev.junction.server.plugins;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * The class loader of one plugin. The SPI and the libraries it exposes come from the server (parent first), so a plugin's
 * {@code Connector} is the server's {@code Connector} and a {@code JsonNode} is one type on both sides; everything else comes
 * from the plugin's own jars first, so two plugins may carry different versions of one library, and neither sees the
 * server's copy unless it has none of its own.
 */
final class PluginClassLoader extends URLClassLoader {
    /** Packages of the SPI and of what its signatures expose, plus the platform: always the server's. */
    private static final List<String> SERVER_FIRST = List.of(
            "java.", "javax.", "jdk.", "sun.", "com.sun.", "org.w3c.", "org.xml.",
            "dev.junction.connectors.api.", "org.apache.pekko.", "scala.", "com.typesafe.config.", "com.fasterxml.jackson.",
            "org.slf4j.");
    private static final String SERVICES = "META-INF/services/";

    static {
        registerAsParallelCapable();
    }

    private final String origin;

    PluginClassLoader(String origin, URL[] jars, ClassLoader server) {
        super("plugin " + origin, jars, server);
        this.origin = origin;
    }

    /** Where the plugin came from, as the server logs it. */
    String origin() {
        return origin;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null) {
                loaded = serverFirst(name) ? fromServerThenPlugin(name) : fromPluginThenServer(name);
            }
            if (resolve) {
                resolveClass(loaded);
            }
            return loaded;
        }
    }

    private Class<?> fromServerThenPlugin(String name) throws ClassNotFoundException {
        try {
            return getParent().loadClass(name);
        } catch (ClassNotFoundException notInServer) {
            return findClass(name); // a library of that family the server does not have (a Jackson module, say)
        }
    }

    private Class<?> fromPluginThenServer(String name) throws ClassNotFoundException {
        try {
            return findClass(name);
        } catch (ClassNotFoundException notInPlugin) {
            return getParent().loadClass(name);
        }
    }

    @Override
    public URL getResource(String name) {
        if (serverFirst(name.replace('/', '.'))) {
            return super.getResource(name);
        }
        URL own = findResource(name);
        return own != null ? own : getParent().getResource(name);
    }

    /** Service files are the plugin's own only: the server's connectors are not the plugin's. Other resources: own, then the server's. */
    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        List<URL> urls = new ArrayList<>(Collections.list(findResources(name)));
        if (!name.startsWith(SERVICES)) {
            urls.addAll(Collections.list(getParent().getResources(name)));
        }
        return Collections.enumeration(urls);
    }

    private static boolean serverFirst(String name) {
        for (String prefix : SERVER_FIRST) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
