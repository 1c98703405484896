package org.grapevine.node.media;

/**
 * A file ready to attach: its sniffed type, its blocks (metadata already stripped, so the hash is
 * of the bytes peers will see), and how many bytes stripping removed.
 */
public record ImportedMedia(MediaType type, FileLayout layout, long strippedBytes) {
  /** The attachment's codec: raw (0x55) for one block, dag-pb (0x70) for a file root. */
  public long codec() {
    return layout.root().codec();
  }

  /** The attachment's hash: the sha2-256 digest of the root block. */
  public byte[] hash() {
    return layout.root().digest();
  }
}
