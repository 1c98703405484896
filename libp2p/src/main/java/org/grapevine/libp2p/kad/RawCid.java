package org.grapevine.libp2p.kad;

import org.grapevine.libp2p.encoding.Base32;

/**
 * The text form of a CIDv1 with codec {@code raw} (0x55) around a multihash: the form people and
 * other tools write a provider key in ({@code bafkrei...} for sha2-256). Provider messages carry
 * the multihash alone (the kad-dht spec says "a CID"; go and js put its multihash there).
 */
public final class RawCid {
  private static final int CID_VERSION = 0x01;
  private static final int RAW_CODEC = 0x55;

  private RawCid() {}

  /** Multibase {@code b} (base32, lower case, no padding) of {@code 0x01 0x55 || multihash}. */
  public static String text(byte[] multihash) {
    byte[] cid = new byte[2 + multihash.length];
    cid[0] = (byte) CID_VERSION;
    cid[1] = (byte) RAW_CODEC;
    System.arraycopy(multihash, 0, cid, 2, multihash.length);
    return "b" + Base32.encode(cid);
  }
}
