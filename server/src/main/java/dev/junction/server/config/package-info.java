/** Reading and validating the HOCON configuration into immutable settings records. */
package dev.junction.server.config;
