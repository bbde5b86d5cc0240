/** Connectors: the built-in ones and plugins from the plugin directory, each plugin in its own class loader; their docs. */
package dev.junction.server.plugins;
