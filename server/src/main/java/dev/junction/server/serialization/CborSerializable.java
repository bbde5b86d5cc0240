package dev.junction.server.serialization;

/** Marks messages, events and snapshots that Pekko serializes with Jackson CBOR (bound in {@code junction-pekko.conf}). */
public interface CborSerializable {}
