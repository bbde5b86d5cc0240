/** How the server's persisted events and cluster messages are serialized: the marker that binds a type to Jackson CBOR. */
package dev.junction.server.serialization;
