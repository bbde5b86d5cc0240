/** Delivery: taking accepted envelopes through the steps to each target, with retries, back-off and dead letters. */
package dev.junction.server.delivery;
