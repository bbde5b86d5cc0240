/** JMH microbenchmarks of the per-message work of the transformation steps; run with {@code benchmarks/run.sh}. */
package dev.junction.bench;
