package org.grapevine.simulations.metrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.grapevine.libp2p.gossipsub.DropReason;
import org.grapevine.libp2p.gossipsub.GossipMetrics;

/** GossipRouter counters summed over every process of every node, in a fixed key order. */
public final class RouterTotals {
  private final Map<String, Long> totals = new LinkedHashMap<>();

  public void add(GossipMetrics m) {
    put("messagesIn", m.messagesIn());
    put("messagesOut", m.messagesOut());
    put("duplicates", m.duplicates());
    put("ihaveIn", m.ihaveIn());
    put("ihaveOut", m.ihaveOut());
    put("iwantIn", m.iwantIn());
    put("iwantOut", m.iwantOut());
    put("iwantServed", m.iwantServed());
    put("graftIn", m.graftIn());
    put("graftOut", m.graftOut());
    put("pruneIn", m.pruneIn());
    put("pruneOut", m.pruneOut());
    put("idontwantIn", m.idontwantIn());
    put("idontwantOut", m.idontwantOut());
    for (DropReason d : DropReason.values()) {
      put("dropped." + d.name().toLowerCase(Locale.ROOT), m.drops().getOrDefault(d, 0L));
    }
  }

  private void put(String key, long v) {
    totals.merge(key, v, Long::sum);
  }

  public Map<String, Long> toMap() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(totals));
  }
}
