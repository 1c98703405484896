package org.grapevine.node.media;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Removes metadata chunks from a PNG (PNG spec, 3rd edition, chunk layout):
 *
 * <pre>
 * signature 89 50 4E 47 0D 0A 1A 0A | { length(4, BE) type(4) data(length) crc(4) }* ending with IEND
 * </pre>
 *
 * <p>Dropped: {@code eXIf} (Exif, GPS included), {@code tEXt}, {@code zTXt}, {@code iTXt} (free
 * text, where XMP lives too) and {@code tIME}. Kept: every other chunk, colour ({@code iCCP},
 * {@code sRGB}, {@code gAMA}, {@code cHRM}) included. Bytes after IEND are dropped. Chunk lengths
 * are checked against the file; CRCs are left to the decoder that shows the image.
 */
final class PngStripper {
  private static final Set<String> DROPPED = Set.of("eXIf", "tEXt", "zTXt", "iTXt", "tIME");
  private static final int SIGNATURE_BYTES = 8;

  private PngStripper() {}

  static byte[] strip(byte[] in) throws MediaException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
    out.write(in, 0, SIGNATURE_BYTES);
    int pos = SIGNATURE_BYTES;
    boolean first = true;
    while (true) {
      if (pos + 12 > in.length) {
        throw bad("truncated chunk header at offset " + pos + " (no IEND)");
      }
      long length =
          (in[pos] & 0xffL) << 24
              | (in[pos + 1] & 0xff) << 16
              | (in[pos + 2] & 0xff) << 8
              | (in[pos + 3] & 0xff);
      if (length > in.length - pos - 12L) {
        throw bad("chunk of length " + length + " past the end");
      }
      String type = new String(in, pos + 4, 4, StandardCharsets.ISO_8859_1);
      if (first && !type.equals("IHDR")) {
        throw bad("first chunk is " + type + ", not IHDR");
      }
      first = false;
      int end = pos + 12 + (int) length;
      if (!DROPPED.contains(type)) {
        out.write(in, pos, end - pos);
      }
      pos = end;
      if (type.equals("IEND")) {
        return out.toByteArray();
      }
    }
  }

  private static MediaException bad(String detail) {
    return new MediaException(MediaError.MALFORMED_IMAGE, "PNG: " + detail);
  }
}
