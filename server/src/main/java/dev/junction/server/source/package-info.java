/** Creating, starting and stopping the source of each integration. */
package dev.junction.server.source;
