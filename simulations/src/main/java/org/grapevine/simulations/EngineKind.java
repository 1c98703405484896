package org.grapevine.simulations;

import java.util.Locale;

/** Which engine runs a scenario (simulations/README.md says what each runs for real). */
public enum EngineKind {
  /**
   * Discrete events on a virtual clock: the real router and ingestion cores on a modelled network.
   */
  VIRTUAL,
  /**
   * Real nodes in this JVM: TCP on loopback, Noise, Yamux, GossipSub, sync, RocksDB; latency
   * injected.
   */
  REAL,
  /**
   * Real nodes across {@code hosts.count} agent processes on this machine (127.0.0.1), run by a
   * coordinator in this JVM; the hosts' netem delay applied in user space.
   */
  AGENTS,
  /**
   * As {@link #AGENTS}, each agent in its own network namespace (root only); the hosts' netem
   * applied by the kernel where it has netem.
   */
  NETNS;

  /** The name on the command line and in {@code results.json}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
