/** Lookup tables: key-to-value files that JSLT mappings and predicates read through {@code lookup(table, key)}. */
package dev.junction.server.lookup;
