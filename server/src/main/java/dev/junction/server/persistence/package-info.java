/** The journal's database: schema creation and reachability. */
package dev.junction.server.persistence;
