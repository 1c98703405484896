package org.grapevine.libp2p.bitswap;

/** A 1.2.0 answer about a block without the block ({@code BlockPresenceType}). */
public enum PresenceType {
  HAVE,
  DONT_HAVE
}
