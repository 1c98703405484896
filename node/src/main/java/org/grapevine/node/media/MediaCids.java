package org.grapevine.node.media;

import java.util.Arrays;
import org.grapevine.libp2p.bitswap.BitswapException;
import org.grapevine.libp2p.bitswap.Cid;
import org.grapevine.libp2p.bitswap.CidPrefix;

/**
 * From an attachment's {@code (hash, codec)} to the CID peers fetch over Bitswap, and back. The
 * attachment keeps the digest alone (32 bytes) and a codec number so that a post need not carry CID
 * framing: codec 0 (unset) and {@code 0x55} mean raw, {@code 0x70} dag-pb (a UnixFS file root); the
 * hash function is always sha2-256.
 */
public final class MediaCids {
  /** Multicodec dag-pb: a UnixFS root node. */
  public static final long DAG_PB = 0x70;

  /** Every CID we store: CIDv1, a one-byte codec (raw or dag-pb), sha2-256: 4 + 32 bytes. */
  public static final int CID_BYTES = 36;

  private MediaCids() {}

  /**
   * The CID an attachment names; an unknown codec or a hash of the wrong length is the author's.
   */
  public static Cid of(byte[] sha256, long codec) throws MediaException {
    long c = codec == 0 ? Cid.RAW : codec;
    if (c != Cid.RAW && c != DAG_PB) {
      throw new MediaException(
          MediaError.UNSUPPORTED_CODEC, "attachment codec 0x" + Long.toHexString(codec));
    }
    if (sha256.length != Cid.SHA2_256_BYTES) {
      throw new MediaException(
          MediaError.BAD_CID, "attachment hash of " + sha256.length + " bytes, not 32");
    }
    byte[] head = new CidPrefix(Cid.VERSION_1, c, Cid.SHA2_256, Cid.SHA2_256_BYTES).encode();
    byte[] bytes = Arrays.copyOf(head, head.length + sha256.length);
    System.arraycopy(sha256, 0, bytes, head.length, sha256.length);
    try {
      return Cid.parse(bytes);
    } catch (BitswapException e) {
      throw new IllegalStateException("a CID we built does not parse", e);
    }
  }

  /** Parses a binary CID from a peer, accepting only what we store (raw or dag-pb, sha2-256). */
  public static Cid parse(byte[] bytes) throws MediaException {
    Cid cid;
    try {
      cid = Cid.parse(bytes);
    } catch (BitswapException e) {
      throw new MediaException(MediaError.BAD_CID, e.getMessage(), e);
    }
    if (cid.codec() != Cid.RAW && cid.codec() != DAG_PB) {
      throw new MediaException(
          MediaError.UNSUPPORTED_CODEC, "CID codec 0x" + Long.toHexString(cid.codec()));
    }
    return cid;
  }
}
