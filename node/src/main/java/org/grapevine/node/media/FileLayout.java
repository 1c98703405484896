package org.grapevine.node.media;

import java.util.List;
import org.grapevine.libp2p.bitswap.Cid;

/**
 * A file cut into blocks: {@code root} is what an attachment names (its codec is raw for a file of
 * one block, dag-pb otherwise), {@code blocks} every block to store, the root node first when there
 * is one, then the leaves in file order (a leaf repeated in the file is listed once).
 */
public record FileLayout(Cid root, long fileBytes, List<MediaBlock> blocks) {
  public FileLayout {
    blocks = List.copyOf(blocks);
  }
}
