/** Finding connector plugins with {@link java.util.ServiceLoader}. */
package dev.junction.server.plugins;
