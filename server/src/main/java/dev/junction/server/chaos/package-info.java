/** {@code junction-server chaos}: runs a user's integrations against fault-injecting stand-ins and reports what survived. */
package dev.junction.server.chaos;
