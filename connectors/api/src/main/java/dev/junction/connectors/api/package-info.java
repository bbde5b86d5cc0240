/**
 * The connector SPI: what a connector plugin implements, and the only Junction package it may import.
 *
 * <p>A {@link dev.junction.connectors.api.Connector} names a kind of system and offers sources
 * ({@link dev.junction.connectors.api.SourceFactory}) and a sink ({@link dev.junction.connectors.api.SinkFactory}), each with a
 * declared {@link dev.junction.connectors.api.ConfigSpec}. Sources hand messages to the server's
 * {@link dev.junction.connectors.api.Ingestor} and acknowledge their upstream only on a durable answer; pull sources keep a
 * {@link dev.junction.connectors.api.PositionStore} and say where they run ({@link dev.junction.connectors.api.Placement}).
 * Sinks make one attempt per call and classify failures ({@link dev.junction.connectors.api.RetriableException},
 * {@link dev.junction.connectors.api.PermanentException}). Keys are found by one rule for all
 * ({@link dev.junction.connectors.api.KeyRule}); a queue source takes each received message through
 * {@link dev.junction.connectors.api.Intake} (JSON, key, inbox, and what to tell the broker). The HTTP-only types of push sources are in {@code api.http}.
 *
 * <p>Besides this package a plugin sees the libraries the SPI exposes: Pekko (actor, streams), Jackson databind, Typesafe
 * Config, SLF4J and Scala's standard library. The server loads those from its own class path for every plugin (parent
 * first), so a plugin must not bundle them; everything else a plugin bundles is loaded from the plugin first.
 */
package dev.junction.connectors.api;
