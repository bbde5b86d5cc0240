/**
 * The connector test kit: the contract every connector passes against the real service ({@link
 * dev.junction.connectors.testkit.ConnectorContract}), with an inbox and a position store in memory to drive it.
 */
package dev.junction.connectors.testkit;
