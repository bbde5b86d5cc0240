/** Personal data masked where people look: the admin API's views of messages and dead letters, and the log. */
package dev.junction.server.masking;
