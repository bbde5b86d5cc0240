/** The runs of polling and batch sources: recorded as they go, kept in a table the cluster shares, read by the admin API. */
package dev.junction.server.runs;
