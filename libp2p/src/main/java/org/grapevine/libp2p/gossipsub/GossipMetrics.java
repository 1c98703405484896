package org.grapevine.libp2p.gossipsub;

import java.util.Map;

/**
 * A snapshot of router counters (since construction) and gauges. Message counts are full messages;
 * control counts are entries (one IHAVE per topic, one GRAFT, ...).
 */
public record GossipMetrics(
    long messagesIn,
    long messagesOut,
    long duplicates,
    long ihaveIn,
    long ihaveOut,
    long iwantIn,
    long iwantOut,
    long iwantServed,
    long graftIn,
    long graftOut,
    long pruneIn,
    long pruneOut,
    long idontwantIn,
    long idontwantOut,
    Map<DropReason, Long> drops,
    Map<String, Integer> meshSizes,
    int pendingValidations,
    ScoreSummary scores) {

  /** Min, median and max score over connected peers (all 0 without peers). */
  public record ScoreSummary(double min, double median, double max) {}
}
