package org.grapevine.node.media;

import java.io.ByteArrayOutputStream;

/**
 * Removes metadata segments from a JPEG (ITU T.81 markers; JFIF, Exif, ICC and Adobe APPn
 * conventions):
 *
 * <pre>
 * SOI FFD8 | { FFxx len(2, big-endian, counts itself) payload }* | SOS FFDA len header
 *          | entropy-coded data (FF00 stuffing, FFD0..FFD7 restarts) | ... | EOI FFD9
 * </pre>
 *
 * <p>Kept: every non-APP segment (tables, frames, scans), APP0 "JFIF" (the pixel aspect), APP2
 * "ICC_PROFILE" (the colour space: without it colours shift) and APP14 "Adobe" (says whether
 * 4-channel data is CMYK or YCCK). Dropped: APP1 (Exif with its GPS IFD, and XMP), APP13 (Photoshop
 * IPTC), COM, every other APPn (maker data, MPF previews), and anything after EOI (trailers some
 * phones append). Dropping Exif also drops its orientation tag: the image shows as the sensor
 * stored it. Pure and bounded: one pass, output never longer than input.
 */
final class JpegStripper {
  private static final int SOI = 0xd8;
  private static final int EOI = 0xd9;
  private static final int SOS = 0xda;
  private static final int COM = 0xfe;

  private JpegStripper() {}

  static byte[] strip(byte[] in) throws MediaException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
    if (!MediaType.startsWith(in, 0, 0xff, SOI)) {
      throw bad("no SOI marker");
    }
    out.write(0xff);
    out.write(SOI);
    int pos = 2;
    while (true) {
      // 1. a marker: FF, optional FF fill bytes, a code
      if (pos >= in.length || (in[pos] & 0xff) != 0xff) {
        throw bad("expected a marker at offset " + pos);
      }
      while (pos < in.length && (in[pos] & 0xff) == 0xff) {
        pos++;
      }
      if (pos >= in.length) {
        throw bad("truncated marker");
      }
      int code = in[pos++] & 0xff;
      if (code == EOI) {
        out.write(0xff);
        out.write(EOI);
        return out.toByteArray();
      }
      if (code == SOI || code == 0x00 || (code >= 0xd0 && code <= 0xd7)) {
        throw bad("marker FF" + Integer.toHexString(code) + " outside a scan");
      }
      // 2. a segment with its length
      if (pos + 2 > in.length) {
        throw bad("truncated segment length");
      }
      int length = (in[pos] & 0xff) << 8 | (in[pos + 1] & 0xff);
      if (length < 2 || pos + length > in.length) {
        throw bad("segment FF" + Integer.toHexString(code) + " of length " + length);
      }
      int start = pos - 2;
      int end = pos + length;
      if (keep(code, in, pos + 2, length - 2)) {
        out.write(in, start, end - start);
      }
      pos = end;
      // 3. after a scan header, the entropy-coded data up to the next real marker
      if (code == SOS) {
        int scanStart = pos;
        while (true) {
          if (pos + 1 >= in.length) {
            throw bad("scan data runs past the end (no EOI)");
          }
          if ((in[pos] & 0xff) == 0xff) {
            int next = in[pos + 1] & 0xff;
            if (next != 0x00 && next != 0xff && !(next >= 0xd0 && next <= 0xd7)) {
              break;
            }
          }
          pos++;
        }
        out.write(in, scanStart, pos - scanStart);
      }
    }
  }

  private static boolean keep(int code, byte[] in, int payload, int length) {
    if (code == COM) {
      return false;
    }
    if (code < 0xe0 || code > 0xef) {
      return true; // not APPn: tables, frames, scans, restart intervals
    }
    return switch (code) {
      case 0xe0 -> hasId(in, payload, length, "JFIF\0");
      case 0xe2 -> hasId(in, payload, length, "ICC_PROFILE\0");
      case 0xee -> hasId(in, payload, length, "Adobe");
      default -> false;
    };
  }

  private static boolean hasId(byte[] in, int payload, int length, String id) {
    if (length < id.length()) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      if (in[payload + i] != (byte) id.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static MediaException bad(String detail) {
    return new MediaException(MediaError.MALFORMED_IMAGE, "JPEG: " + detail);
  }
}
