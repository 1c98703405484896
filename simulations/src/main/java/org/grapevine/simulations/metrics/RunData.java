package org.grapevine.simulations.metrics;

import java.util.Map;
import org.grapevine.node.engine.Engine;
import org.grapevine.simulations.network.FollowGraph;
import org.grapevine.simulations.network.Network;
import org.grapevine.simulations.network.Topology;
import org.grapevine.simulations.network.Workload;
import org.grapevine.simulations.scenario.Scenario;

/**
 * Everything an engine measured in one run, and the inputs it ran on: what {@link Results} and the
 * output files are computed from. Engines fill it; they compute no summary figures.
 *
 * @param meshChangesPerSecond GRAFTs and PRUNEs (mesh joins and leaves) seen by any node, per
 *     second of virtual time
 * @param routerTotals GossipRouter counters summed over all nodes, by name
 * @param engineTotals ingestion outcomes summed over all nodes
 * @param events events the engine processed
 * @param syncDeliveries entries first stored from a sync batch
 * @param realVerifications envelopes verified for real (the rest hit the verify cache)
 * @param envelopeBytes each post's envelope size
 * @param engine the engine's name ({@code virtual}, {@code real})
 * @param dht what the nodes' DHTs did (empty without one, and in the real engine)
 * @param addressed what became of replies and flood entries at their addressees (issue 15); null
 *     when the workload has none, and in the real engine
 */
@SuppressWarnings(
    "ArrayRecordComponent") // the figures of one run, read by the reports, never compared
public record RunData(
    Scenario scenario,
    FollowGraph follows,
    Topology topology,
    Network network,
    Workload workload,
    DeliveryLog log,
    NodeCounters counters,
    int[] meshChangesPerSecond,
    Map<String, Long> routerTotals,
    Map<Engine.Counter, Long> engineTotals,
    long events,
    long syncDeliveries,
    long realVerifications,
    int[] envelopeBytes,
    String engine,
    DhtTotals dht,
    AddressedLog addressed) {

  /**
   * Whether per-pair hops and copies, and traffic by kind, were observed (the real engines, in one
   * JVM or distributed, see neither).
   */
  public boolean perPairDetail() {
    return "virtual".equals(engine);
  }
}
