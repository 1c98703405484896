package org.grapevine.node.media;

/**
 * What {@link MediaStore#putBlock} did with a block. The refusals after {@code UNWANTED} are the
 * sender's fault (a peer that sent the block, or the author whose root it is); every outcome is
 * counted in {@link MediaUsage}.
 */
public enum PutOutcome {
  STORED,
  /** Already held. */
  DUPLICATE,
  /** No referenced file contains this block: we never asked for it, so we do not keep it. */
  UNWANTED,
  /** Over 1 MiB, the Bitswap block limit. */
  TOO_LARGE,
  /** The bytes do not hash to the CID. */
  HASH_MISMATCH,
  /** A root node that breaks the layout rules ({@link UnixFsFile#decodeRoot}). */
  BAD_ROOT,
  /** A root whose file size differs from the size its entries declared. */
  SIZE_MISMATCH
}
