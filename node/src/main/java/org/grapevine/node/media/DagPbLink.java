package org.grapevine.node.media;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dag-pb {@code PBLink}: the binary CID of the target, an optional name and an optional
 * cumulative size ({@code Tsize}). {@code name} and {@code tsize} are null when the field is
 * absent, since dag-pb distinguishes absent from empty in its canonical bytes.
 */
@SuppressWarnings("ArrayRecordComponent") // equals, hashCode and accessors are overridden below
public record DagPbLink(byte[] hash, String name, Long tsize) {
  public DagPbLink {
    Objects.requireNonNull(hash, "hash");
    hash = hash.clone();
  }

  @Override
  public byte[] hash() {
    return hash.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DagPbLink l
        && Arrays.equals(hash, l.hash)
        && Objects.equals(name, l.name)
        && Objects.equals(tsize, l.tsize);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(hash) * 31 + Objects.hash(name, tsize);
  }

  @Override
  public String toString() {
    return "DagPbLink[" + hash.length + " bytes, name=" + name + ", tsize=" + tsize + "]";
  }
}
