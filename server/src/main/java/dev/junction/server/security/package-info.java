/** Who may use the admin API (tokens and roles) and how secrets are read and kept out of sight. */
package dev.junction.server.security;
