/**
 * The simulation harness (README.md of this module): scenarios ({@code scenario}), the generators
 * of topology, latency, follow graph and workload ({@code network}), the discrete-event engine
 * over the real GossipSub router and ingestion cores ({@code virtual}), metrics and result files
 * ({@code metrics}) and the {@code grapevine-sim} command ({@code cli}).
 */
package org.grapevine.simulations;
