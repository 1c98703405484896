package org.grapevine.libp2p.bitswap;

/** What a wantlist entry asks for (Bitswap 1.2.0 {@code WantType}). */
public enum WantType {
  /** Send the block (the only kind before 1.2.0, and the wire default). */
  BLOCK,
  /** Say whether you have the block ({@code Have}, or {@code DontHave} if asked for). */
  HAVE
}
