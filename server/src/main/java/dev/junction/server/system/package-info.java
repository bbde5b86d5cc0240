/** Connected systems at run time: one supervised actor per system per node with its breaker, rate limit, bulkhead and health. */
package dev.junction.server.system;
