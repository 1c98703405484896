package org.grapevine.libp2p.bitswap;

/**
 * What a peer did wrong, carried by {@link BitswapException} (bytes that do not decode) and by
 * {@link BitswapEvent.PeerMisbehaved} (messages that decode but break the rules). Every code is the
 * sending peer's fault: the owner may lower the peer's score or close the stream.
 */
public enum BitswapError {
  /** A message over {@link BitswapLimits#maxMessageBytes}, or a block over the block limit. */
  TOO_LARGE,
  /** Bytes that are not a Bitswap message, an unknown enum value, or the 1.0.0 blocks field. */
  MALFORMED,
  /** CID or prefix bytes that do not parse (bad varints, wrong lengths, trailing bytes). */
  BAD_CID,
  /**
   * A well-formed CID we do not serve: CIDv0, or a multihash other than sha2-256. Not a refusal of
   * the message: the codec skips such entries and counts them.
   */
  UNSUPPORTED_CID,
  /** More wants than {@link BitswapLimits#maxWantsPerPeer}: the excess was ignored. */
  TOO_MANY_WANTS,
  /** A block nobody asked this peer for, and that we never wanted. */
  UNSOLICITED_BLOCK,
  /**
   * A block from a peer we asked for a block, whose bytes hash to no CID we want: the peer answered
   * a want-block with the wrong bytes (a block names itself by its hash, so that is what a wrong
   * block looks like).
   */
  HASH_MISMATCH
}
