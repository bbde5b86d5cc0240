/** Gatling simulations of Junction, and a counting target for end-to-end load runs. */
package dev.junction.loadtest;
