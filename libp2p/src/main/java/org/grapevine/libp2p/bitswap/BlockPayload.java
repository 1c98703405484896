package org.grapevine.libp2p.bitswap;

import java.util.Arrays;
import java.util.Objects;

/**
 * A block as a 1.1.0+ payload carries it: the CID {@link CidPrefix prefix} and the data, without
 * the digest. Its CID is whatever the data hashes to ({@link #cid}); a received payload is never
 * taken at its word.
 */
// The data is copied in and out, with equals, hashCode and toString over the contents.
@SuppressWarnings("ArrayRecordComponent")
public record BlockPayload(CidPrefix prefix, byte[] data) {
  public BlockPayload {
    Objects.requireNonNull(prefix, "prefix");
    data = data.clone();
  }

  /** The payload that sends {@code data} as the block {@code cid} names. */
  public static BlockPayload of(Cid cid, byte[] data) {
    return new BlockPayload(cid.prefix(), data);
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  public int size() {
    return data.length;
  }

  /** Hashes the data: the CID this block really has. */
  public Cid cid() {
    return prefix.cidOf(data);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BlockPayload b && prefix.equals(b.prefix) && Arrays.equals(data, b.data);
  }

  @Override
  public int hashCode() {
    return 31 * prefix.hashCode() + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "BlockPayload[" + prefix + ", " + data.length + " bytes]";
  }
}
