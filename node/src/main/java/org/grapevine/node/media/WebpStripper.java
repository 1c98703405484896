package org.grapevine.node.media;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Removes metadata chunks from a WebP (RIFF container, Google's WebP container specification):
 *
 * <pre>
 * "RIFF" size(4, LE: bytes after this field) "WEBP" | { fourcc(4) size(4, LE) data, padded to even }*
 * VP8X data: flags(1) = reserved(2) ICC(0x20) alpha(0x10) EXIF(0x08) XMP(0x04) animation(0x02) ...
 * </pre>
 *
 * <p>Dropped: {@code EXIF} and {@code "XMP "} chunks; the VP8X flags that announce them are cleared
 * (a reader that trusts them would look for chunks that are gone) and the RIFF size is rewritten
 * for the shorter file. Bytes after the RIFF size are dropped.
 */
final class WebpStripper {
  private static final int EXIF_FLAG = 0x08;
  private static final int XMP_FLAG = 0x04;

  private WebpStripper() {}

  static byte[] strip(byte[] in) throws MediaException {
    if (in.length < 12) {
      throw bad("shorter than its header");
    }
    long riffSize = ByteBuffer.wrap(in, 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
    if (riffSize < 4 || riffSize > in.length - 8L) {
      throw bad("RIFF size " + riffSize + " for " + in.length + " bytes");
    }
    int end = 8 + (int) riffSize;
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
    out.write(in, 0, 12);
    int pos = 12;
    int vp8xFlagsAt = -1;
    while (pos < end) {
      if (pos + 8 > end) {
        throw bad("truncated chunk header at offset " + pos);
      }
      String fourcc = new String(in, pos, 4, StandardCharsets.ISO_8859_1);
      long size =
          ByteBuffer.wrap(in, pos + 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
      long padded = size + (size & 1);
      if (padded > end - pos - 8L) {
        throw bad("chunk " + fourcc + " of size " + size + " past the end");
      }
      int next = pos + 8 + (int) padded;
      if (!fourcc.equals("EXIF") && !fourcc.equals("XMP ")) {
        if (fourcc.equals("VP8X") && size >= 1) {
          vp8xFlagsAt = out.size() + 8;
        }
        out.write(in, pos, next - pos);
      }
      pos = next;
    }
    byte[] result = out.toByteArray();
    if (vp8xFlagsAt >= 0) {
      result[vp8xFlagsAt] = (byte) (result[vp8xFlagsAt] & ~(EXIF_FLAG | XMP_FLAG));
    }
    ByteBuffer.wrap(result, 4, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(result.length - 8);
    return result;
  }

  private static MediaException bad(String detail) {
    return new MediaException(MediaError.MALFORMED_IMAGE, "WebP: " + detail);
  }
}
