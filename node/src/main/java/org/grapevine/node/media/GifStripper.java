package org.grapevine.node.media;

import java.io.ByteArrayOutputStream;

/**
 * Removes comment and unknown application extensions from a GIF (GIF89a specification):
 *
 * <pre>
 * header(6) screen descriptor(7) [global colour table] |
 *   { 0x21 label sub-blocks | 0x2C descriptor(9) [local table] lzw-size(1) sub-blocks }* | 0x3B
 * sub-blocks := { size(1) data(size) }* 0x00
 * </pre>
 *
 * <p>Dropped: comment extensions (0xFE, free text) and application extensions other than the
 * looping ones ({@code NETSCAPE2.0}, {@code ANIMEXTS1.0}): XMP rides in an application extension.
 * Kept: graphic control and plain text extensions, images. Bytes after the trailer are dropped.
 */
final class GifStripper {
  private static final int EXTENSION = 0x21;
  private static final int IMAGE = 0x2c;
  private static final int TRAILER = 0x3b;
  private static final int COMMENT = 0xfe;
  private static final int APPLICATION = 0xff;

  private GifStripper() {}

  static byte[] strip(byte[] in) throws MediaException {
    if (in.length < 13) {
      throw bad("shorter than its header");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
    int pos = 13 + colourTable(in[10]);
    need(in, pos, 0);
    out.write(in, 0, pos);
    while (true) {
      need(in, pos, 1);
      int kind = in[pos] & 0xff;
      if (kind == TRAILER) {
        out.write(TRAILER);
        return out.toByteArray();
      }
      int start = pos;
      boolean keep = true;
      if (kind == EXTENSION) {
        need(in, pos, 2);
        int label = in[pos + 1] & 0xff;
        keep = label != COMMENT && (label != APPLICATION || looping(in, pos + 2));
        pos = subBlocks(in, pos + 2);
      } else if (kind == IMAGE) {
        need(in, pos, 11);
        pos = subBlocks(in, pos + 10 + colourTable(in[pos + 9]) + 1);
      } else {
        throw bad("unknown block 0x" + Integer.toHexString(kind) + " at offset " + pos);
      }
      if (keep) {
        out.write(in, start, pos - start);
      }
    }
  }

  private static int colourTable(byte packed) {
    return (packed & 0x80) == 0 ? 0 : 3 << ((packed & 0x07) + 1);
  }

  private static boolean looping(byte[] in, int pos) throws MediaException {
    need(in, pos, 12);
    String id = new String(in, pos + 1, 11, java.nio.charset.StandardCharsets.ISO_8859_1);
    return (in[pos] & 0xff) == 11 && (id.equals("NETSCAPE2.0") || id.equals("ANIMEXTS1.0"));
  }

  /** Skips sub-blocks from {@code pos}; returns the offset after the terminator. */
  private static int subBlocks(byte[] in, int pos) throws MediaException {
    int p = pos;
    while (true) {
      need(in, p, 1);
      int size = in[p] & 0xff;
      p += 1 + size;
      if (size == 0) {
        return p;
      }
    }
  }

  private static void need(byte[] in, int pos, int bytes) throws MediaException {
    if (pos < 0 || pos + bytes > in.length) {
      throw bad("truncated at offset " + pos);
    }
  }

  private static MediaException bad(String detail) {
    return new MediaException(MediaError.MALFORMED_IMAGE, "GIF: " + detail);
  }
}
