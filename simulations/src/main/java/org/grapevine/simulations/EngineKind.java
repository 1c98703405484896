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
  REAL;

  /** The name on the command line and in {@code results.json}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
