/**
 * The simulation harness (README.md of this module): scenarios ({@code scenario}), the generators
 * of topology, latency, follow graph, workload and faults ({@code network}), the discrete-event
 * engine over the real GossipSub router, ingestion and sync cores ({@code virtual}), the engine of
 * real nodes on loopback ({@code real}), metrics and result files ({@code metrics}), the HTML
 * reports ({@code report}), parameter sweeps ({@code sweep}) and the {@code grapevine-sim} command
 * ({@code cli}).
 */
package org.grapevine.simulations;
