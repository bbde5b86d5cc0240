/**
 * Hot reload: a changed configuration is read and validated whole, then applied without a restart (new integration revisions,
 * started, restarted or stopped sources), or refused whole with every problem named.
 */
package dev.junction.server.reload;
