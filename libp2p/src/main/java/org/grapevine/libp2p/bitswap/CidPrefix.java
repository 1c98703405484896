package org.grapevine.libp2p.bitswap;

import java.io.ByteArrayOutputStream;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.encoding.Varint;

/**
 * A CID without its digest (the {@code prefix} of a Bitswap 1.1.0+ payload): version, content
 * codec, multihash function and digest length, each an unsigned varint. The receiver rebuilds the
 * block's CID by hashing the data with the prefix's function ({@link #cidOf}), so a block always
 * names itself: nothing the sender claims about it is trusted.
 *
 * <p>We accept CIDv1 with a sha2-256 multihash of 32 bytes and any codec (hashing does not depend
 * on the codec); other functions are {@link BitswapError#UNSUPPORTED_CID}.
 */
public record CidPrefix(long version, long codec, long multihashType, long digestLength) {
  /** Bytes a prefix may take: four varints of the values we accept fit easily. */
  static final int MAX_BYTES = 32;

  public CidPrefix {
    if (version != Cid.VERSION_1
        || multihashType != Cid.SHA2_256
        || digestLength != Cid.SHA2_256_BYTES
        || codec < 0
        || codec > Cid.MAX_CODEC) {
      throw new IllegalArgumentException(
          "only CIDv1 with a 32-byte sha2-256 multihash, got " + version + "/" + codec);
    }
  }

  /** Parses a whole prefix (nothing may follow it). */
  public static CidPrefix decode(byte[] bytes) throws BitswapException {
    if (bytes.length > MAX_BYTES) {
      throw new BitswapException(BitswapError.BAD_CID, "CID prefix of " + bytes.length + " bytes");
    }
    long[] header = readHeader(bytes);
    if (header[4] != bytes.length) {
      throw new BitswapException(BitswapError.BAD_CID, "bytes after the CID prefix");
    }
    return new CidPrefix(header[0], header[1], header[2], header[3]);
  }

  /**
   * Reads version, codec, multihash type and digest length from the start of a CID or prefix and
   * checks we support them; returns them with the offset after them.
   */
  static long[] readHeader(byte[] bytes) throws BitswapException {
    if (bytes.length > 0 && bytes[0] == (byte) Cid.SHA2_256) {
      // A CIDv0 is a bare sha2-256 multihash (0x12 0x20 ...): no version varint in front.
      throw new BitswapException(BitswapError.UNSUPPORTED_CID, "CIDv0 is not supported");
    }
    long[] out = new long[5];
    int offset = 0;
    for (int i = 0; i < 4; i++) {
      if (offset >= bytes.length) {
        throw new BitswapException(BitswapError.BAD_CID, "truncated CID");
      }
      long[] v;
      try {
        v = Varint.decode(bytes, offset, Long.MAX_VALUE);
      } catch (MalformedFrameException e) {
        throw new BitswapException(BitswapError.BAD_CID, "CID varint: " + e.getMessage(), e);
      }
      out[i] = v[0];
      offset += (int) v[1];
    }
    out[4] = offset;
    if (out[0] != Cid.VERSION_1) {
      throw new BitswapException(
          out[0] == 0 ? BitswapError.BAD_CID : BitswapError.UNSUPPORTED_CID,
          "CID version " + out[0]);
    }
    if (out[1] > Cid.MAX_CODEC) {
      throw new BitswapException(BitswapError.BAD_CID, "CID codec " + out[1] + " out of range");
    }
    if (out[2] != Cid.SHA2_256) {
      throw new BitswapException(
          BitswapError.UNSUPPORTED_CID, "multihash 0x" + Long.toHexString(out[2]));
    }
    if (out[3] != Cid.SHA2_256_BYTES) {
      throw new BitswapException(
          BitswapError.BAD_CID, "sha2-256 digest of " + out[3] + " bytes, not 32");
    }
    return out;
  }

  public byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8);
    out.writeBytes(Varint.encode(version));
    out.writeBytes(Varint.encode(codec));
    out.writeBytes(Varint.encode(multihashType));
    out.writeBytes(Varint.encode(digestLength));
    return out.toByteArray();
  }

  /** The CID of {@code data} under this prefix: hashes the data. */
  public Cid cidOf(byte[] data) {
    return Cid.sha256(codec, data);
  }
}
