/** The file connector, Junction's template connector: a JSON Lines file sink and a polled directory source. */
package dev.junction.connectors.file;
