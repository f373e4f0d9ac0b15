/** JMH benchmarks and the comparison harness. */
package dev.granitej.bench;
