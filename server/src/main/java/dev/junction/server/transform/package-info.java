/** The steps of an integration: JSON Schema validation and versioned JSLT mappings. */
package dev.junction.server.transform;
