package org.grapevine.node.media;

/**
 * What is wrong with a media block, a file root or an image, carried by {@link MediaException}.
 * Each code knows whose fault it is ({@link #senderAtFault}): bytes from a peer or from a post's
 * author that break the layout rules are the sender's fault (lower its score, drop the block); a
 * file our own user imports that we cannot use is the caller's fault (tell the user).
 */
public enum MediaError {
  /** A dag-pb or UnixFS protobuf that does not decode, or breaks dag-pb's strictness rules. */
  MALFORMED_NODE(true),
  /**
   * A well-formed node we do not fetch: not a one-level UnixFS file of raw leaves (directories,
   * nested file nodes, named links, inline data, HAMT fields).
   */
  UNSUPPORTED_LAYOUT(true),
  /**
   * A root node over {@link UnixFsFile#MAX_ROOT_BYTES} or with over {@link UnixFsFile#MAX_LINKS}.
   */
  NODE_TOO_LARGE(true),
  /** Sizes that disagree: blocksizes against filesize, a Tsize, or the size the post declared. */
  SIZE_MISMATCH(true),
  /** An attachment codec other than raw (0x55, or 0 for raw) and dag-pb (0x70). */
  UNSUPPORTED_CODEC(true),
  /** A hash that is not a sha2-256 digest of 32 bytes, or a link that is not a raw CIDv1. */
  BAD_CID(true),
  /** An image our user imports whose structure does not parse: truncated, bad lengths. */
  MALFORMED_IMAGE(false),
  /** A file our user imports over the size a post may attach. */
  FILE_TOO_LARGE(false);

  private final boolean senderAtFault;

  MediaError(boolean senderAtFault) {
    this.senderAtFault = senderAtFault;
  }

  /** True when a peer or a post's author sent the bad bytes; false when our own caller did. */
  public boolean senderAtFault() {
    return senderAtFault;
  }
}
