/**
 * The distributed real engine (issue 19): a coordinator and agents. Each agent is one JVM holding a
 * share of the scenario's real nodes (node {@code i} on agent {@code i % hosts.count}); the
 * coordinator hands out the scenario, runs the set-up barriers, injects the workload, and gathers
 * what the agents measured into the same {@link org.grapevine.simulations.metrics.RunData} the
 * other engines fill. The protocol's decisions are plain classes ({@link CoordinatorState}, {@link
 * ClockSync}); {@link Frames} is the wire; {@link Coordinator} and {@link Agent} do the I/O.
 */
package org.grapevine.simulations.distributed;
