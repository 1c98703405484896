package org.grapevine.node.engine;

/** Where an entry came from, for counting outcomes and for the rules that differ (own entries). */
public enum IngestSource {
  /** A GossipSub message on an identity's topic. */
  GOSSIP,
  /** A catch-up sync batch. */
  SYNC,
  /**
   * An {@code Addressed} message on an addressee's topic: another identity's entry that addresses
   * one we follow (issue 15).
   */
  ADDRESSED,
  /**
   * An entry fetched by reference in a sync session (sync.proto step 5a): the original of a repost
   * or quote post this node held without it, in the {@code Addressed} form.
   */
  BY_REF,
  /** Written by this node (its device log, or its root log delegating the device). */
  OWN;

  /** The name used in counter keys. */
  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
