package org.grapevine.node.media;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.grapevine.libp2p.bitswap.Cid;

/**
 * How a file becomes blocks (ipfs/specs UNIXFS.md "Importing": fixed-size chunks, raw leaves,
 * balanced layout), restricted to what we fetch and serve:
 *
 * <ul>
 *   <li>A file of at most {@link #LEAF_BYTES} is one raw block; its CID is the attachment (codec
 *       raw). As in the spec, "if there is only a single chunk, no intermediate unixfs file nodes
 *       are created".
 *   <li>A larger file is cut into {@link #LEAF_BYTES} raw leaves (the last one shorter) and one
 *       dag-pb root: links with Hash = the leaf's CID, Name "" and Tsize = the leaf's size, Data =
 *       UnixFS {Type File, filesize, blocksizes}. The attachment names the root (codec dag-pb).
 *   <li>One level only: at most {@link #MAX_LINKS} leaves, so {@value #MAX_LINKS} MiB (4 GiB) is
 *       the largest file. A one-level tree needs no traversal state: once the root is held, the
 *       missing leaves are a list, fetched in any order; and a root of 4096 links (about 180 KiB)
 *       still fits in one Bitswap block.
 * </ul>
 *
 * <p>Helia's {@code @helia/unixfs} writes the same bytes for a file added with raw leaves, CIDv1
 * and 1 MiB chunks while its balanced layout fits one level (its default width is 1024 links, 1 GiB
 * at 1 MiB chunks): so our root CID is the one Helia prints, and its roots decode here. Pure: no
 * I/O.
 */
public final class UnixFsFile {
  /** The chunk size, and the largest block: the Bitswap block limit is 1 MiB too. */
  public static final int LEAF_BYTES = 1 << 20;

  /** The widest root we write or accept (see the class comment for why one level). */
  public static final int MAX_LINKS = 4096;

  /** The largest file: {@link #MAX_LINKS} full leaves, 4 GiB. */
  public static final long MAX_FILE_BYTES = (long) MAX_LINKS * LEAF_BYTES;

  /** The largest root node we decode: a root is a block, and blocks are at most 1 MiB. */
  public static final int MAX_ROOT_BYTES = 1 << 20;

  private UnixFsFile() {}

  /** Cuts {@code file} into blocks; throws FILE_TOO_LARGE (the caller's fault) over 4 GiB. */
  public static FileLayout layout(byte[] file) throws MediaException {
    if (file.length <= LEAF_BYTES) {
      Cid cid = Cid.rawSha256(file);
      return new FileLayout(cid, file.length, List.of(new MediaBlock(cid, file.clone())));
    }
    int leafCount = (int) ((file.length + (long) LEAF_BYTES - 1) / LEAF_BYTES);
    if (leafCount > MAX_LINKS) {
      throw new MediaException(
          MediaError.FILE_TOO_LARGE, file.length + " bytes, over " + MAX_FILE_BYTES);
    }
    List<DagPbLink> links = new ArrayList<>(leafCount);
    List<Long> sizes = new ArrayList<>(leafCount);
    Set<MediaBlock> leaves = new LinkedHashSet<>();
    for (int i = 0; i < leafCount; i++) {
      int from = i * LEAF_BYTES;
      byte[] leaf = Arrays.copyOfRange(file, from, Math.min(file.length, from + LEAF_BYTES));
      Cid cid = Cid.rawSha256(leaf);
      leaves.add(new MediaBlock(cid, leaf));
      links.add(new DagPbLink(cid.bytes(), "", (long) leaf.length));
      sizes.add((long) leaf.length);
    }
    byte[] data = new UnixFsFileData(file.length, sizes).encode();
    byte[] root = DagPbCodec.encode(new DagPbNode(links, data));
    Cid rootCid = Cid.sha256(MediaCids.DAG_PB, root);
    List<MediaBlock> blocks = new ArrayList<>(leaves.size() + 1);
    blocks.add(new MediaBlock(rootCid, root));
    blocks.addAll(leaves);
    return new FileLayout(rootCid, file.length, blocks);
  }

  /**
   * Decodes a file root from a peer (its hash already checked against the CID we asked for).
   * Numbered checks, each refusal the sender's fault:
   */
  public static FileRoot decodeRoot(byte[] node) throws MediaException {
    // 1. size: a root is one block
    if (node.length > MAX_ROOT_BYTES) {
      throw new MediaException(MediaError.NODE_TOO_LARGE, "root node of " + node.length + " bytes");
    }
    // 2. dag-pb, strictly, with at most MAX_LINKS links
    DagPbNode pb = DagPbCodec.decode(node, MAX_LINKS);
    if (pb.data() == null) {
      throw new MediaException(MediaError.UNSUPPORTED_LAYOUT, "a dag-pb node without UnixFS Data");
    }
    // 3. UnixFS Data of a file, one size per link
    UnixFsFileData data = UnixFsFileData.decode(pb.data(), MAX_LINKS);
    if (pb.links().isEmpty()) {
      throw new MediaException(
          MediaError.UNSUPPORTED_LAYOUT, "a file root without links (data inline or empty)");
    }
    if (data.blockSizes().size() != pb.links().size()) {
      throw new MediaException(
          MediaError.SIZE_MISMATCH,
          pb.links().size() + " links but " + data.blockSizes().size() + " blocksizes");
    }
    // 4. every link a raw leaf of at most LEAF_BYTES, unnamed, its Tsize its size
    List<Cid> leaves = new ArrayList<>(pb.links().size());
    List<Integer> leafBytes = new ArrayList<>(pb.links().size());
    long sum = 0;
    for (int i = 0; i < pb.links().size(); i++) {
      DagPbLink link = pb.links().get(i);
      long size = data.blockSizes().get(i);
      Cid cid = MediaCids.parse(link.hash());
      if (cid.codec() != Cid.RAW) {
        throw new MediaException(
            MediaError.UNSUPPORTED_LAYOUT, "link " + i + " is not a raw leaf: nested file nodes");
      }
      if (link.name() != null && !link.name().isEmpty()) {
        throw new MediaException(
            MediaError.UNSUPPORTED_LAYOUT, "named link " + i + ": a directory");
      }
      if (size < 1 || size > LEAF_BYTES) {
        throw new MediaException(MediaError.SIZE_MISMATCH, "leaf " + i + " of " + size + " bytes");
      }
      if (link.tsize() != null && link.tsize() != size) {
        throw new MediaException(
            MediaError.SIZE_MISMATCH, "link " + i + " Tsize " + link.tsize() + " != " + size);
      }
      leaves.add(cid);
      leafBytes.add((int) size);
      sum += size;
    }
    // 5. the sizes add up to the file
    if (sum != data.fileBytes()) {
      throw new MediaException(
          MediaError.SIZE_MISMATCH, "blocksizes sum to " + sum + ", filesize " + data.fileBytes());
    }
    return new FileRoot(leaves, leafBytes, sum);
  }
}
