package org.grapevine.node.media;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** A dag-pb {@code PBNode}: links in order, and opaque data (null when the field is absent). */
@SuppressWarnings("ArrayRecordComponent") // equals, hashCode and accessors are overridden below
public record DagPbNode(List<DagPbLink> links, byte[] data) {
  public DagPbNode {
    links = List.copyOf(links);
    data = data == null ? null : data.clone();
  }

  @Override
  public byte[] data() {
    return data == null ? null : data.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DagPbNode n && links.equals(n.links) && Arrays.equals(data, n.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(links) * 31 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "DagPbNode["
        + links.size()
        + " links, data="
        + (data == null ? "absent" : data.length)
        + "]";
  }
}
