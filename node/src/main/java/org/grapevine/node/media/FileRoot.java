package org.grapevine.node.media;

import java.util.List;
import org.grapevine.libp2p.bitswap.Cid;

/**
 * A decoded file root: the raw leaves in file order (a leaf may repeat, for repeated chunks), the
 * size of each, and the file's size (their sum, checked).
 */
public record FileRoot(List<Cid> leaves, List<Integer> leafBytes, long fileBytes) {
  public FileRoot {
    leaves = List.copyOf(leaves);
    leafBytes = List.copyOf(leafBytes);
    if (leaves.size() != leafBytes.size()) {
      throw new IllegalArgumentException(leaves.size() + " leaves, " + leafBytes.size() + " sizes");
    }
  }
}
