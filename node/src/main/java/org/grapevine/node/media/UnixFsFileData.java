package org.grapevine.node.media;

import java.util.ArrayList;
import java.util.List;

/**
 * The UnixFS {@code Data} message of a file root (ipfs/specs UNIXFS.md "Data Format"), the part we
 * use: {@code Type = File}, {@code filesize}, one block size per link (the repeated field
 * "blocksizes").
 *
 * <pre>
 * Data := 0x08 0x02                 (Type = File)
 *         0x18 varint filesize
 *         { 0x20 varint size }*  (field 4, repeated uint64, unpacked, as go and js importers write it)
 * </pre>
 *
 * <p>Decoding also takes packed block sizes (0x22 len varints: a protobuf parser must accept both
 * forms of a repeated scalar), and skips {@code mode} and {@code mtime}: metadata an importer may
 * add that does not change the file's bytes. Everything else is refused: inline {@code Data} beside
 * links, HAMT fields, unknown fields.
 */
public record UnixFsFileData(long fileBytes, List<Long> blockSizes) {
  static final int TYPE_FILE = 2;

  private static final int TYPE = 1 << 3 | ProtoReader.WIRE_VARINT;
  private static final int DATA = 2 << 3 | ProtoReader.WIRE_BYTES;
  private static final int FILESIZE = 3 << 3 | ProtoReader.WIRE_VARINT;
  private static final int BLOCKSIZE = 4 << 3 | ProtoReader.WIRE_VARINT;
  private static final int BLOCKSIZES_PACKED = 4 << 3 | ProtoReader.WIRE_BYTES;
  private static final int MODE = 7 << 3 | ProtoReader.WIRE_VARINT;
  private static final int MTIME = 8 << 3 | ProtoReader.WIRE_BYTES;

  public UnixFsFileData {
    blockSizes = List.copyOf(blockSizes);
  }

  public byte[] encode() {
    ProtoWriter out = new ProtoWriter().varintField(1, TYPE_FILE).varintField(3, fileBytes);
    for (long size : blockSizes) {
      out.varintField(4, size);
    }
    return out.toByteArray();
  }

  /** Decodes a file's Data; at most {@code maxBlocks} block sizes before NODE_TOO_LARGE. */
  public static UnixFsFileData decode(byte[] bytes, int maxBlocks) throws MediaException {
    ProtoReader in = new ProtoReader(bytes, "UnixFS Data");
    Long type = null;
    Long fileBytes = null;
    List<Long> sizes = new ArrayList<>();
    while (!in.done()) {
      int tag = in.tag();
      switch (tag) {
        case TYPE -> type = once(type, in.varint(), in, "Type");
        case DATA -> {
          if (in.bytes().length > 0) {
            throw new MediaException(
                MediaError.UNSUPPORTED_LAYOUT, "a file root with inline data beside its links");
          }
        }
        case FILESIZE -> fileBytes = once(fileBytes, in.varint(), in, "filesize");
        case BLOCKSIZE -> add(sizes, in.varint(), maxBlocks);
        case BLOCKSIZES_PACKED -> {
          ProtoReader packed = in.message("packed blocksizes");
          while (!packed.done()) {
            add(sizes, packed.varint(), maxBlocks);
          }
        }
        case MODE -> in.varint();
        case MTIME -> in.bytes();
        default -> {
          int field = tag >>> 3;
          if (field == 5 || field == 6) {
            throw new MediaException(
                MediaError.UNSUPPORTED_LAYOUT, "hashType/fanout: a HAMT, not a file");
          }
          throw in.malformed("unknown field or wire type, tag " + tag);
        }
      }
    }
    if (type == null || type != TYPE_FILE) {
      throw new MediaException(
          MediaError.UNSUPPORTED_LAYOUT, "UnixFS Type " + type + ", not File (2)");
    }
    if (fileBytes == null) {
      throw new MediaException(MediaError.SIZE_MISMATCH, "a file root without filesize");
    }
    return new UnixFsFileData(fileBytes, sizes);
  }

  private static Long once(Long previous, long value, ProtoReader in, String name)
      throws MediaException {
    if (previous != null) {
      throw in.malformed(name + " twice");
    }
    return value;
  }

  private static void add(List<Long> sizes, long size, int maxBlocks) throws MediaException {
    if (sizes.size() == maxBlocks) {
      throw new MediaException(
          MediaError.NODE_TOO_LARGE, "over " + maxBlocks + " blocksizes in a file root");
    }
    sizes.add(size);
  }
}
