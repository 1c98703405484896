package org.grapevine.node.media;

import java.util.Objects;
import org.grapevine.libp2p.bitswap.Cid;

/** One block of a file: its CID and its bytes (which hash to it). */
@SuppressWarnings("ArrayRecordComponent") // identified by its CID: equals and hashCode use it
public record MediaBlock(Cid cid, byte[] data) {
  public MediaBlock {
    Objects.requireNonNull(cid, "cid");
    Objects.requireNonNull(data, "data");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MediaBlock b && cid.equals(b.cid);
  }

  @Override
  public int hashCode() {
    return cid.hashCode();
  }

  @Override
  public String toString() {
    return "MediaBlock[" + cid + ", " + data.length + " bytes]";
  }
}
