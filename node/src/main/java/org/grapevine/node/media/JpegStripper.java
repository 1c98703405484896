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
 * phones append). An Exif orientation other than 1 (a phone held upright stores the picture on its
 * side and says so) is written back as an Exif of that one tag, before the first table: the image
 * still shows upright. Pure and bounded: one pass, output at most 36 bytes longer than the input
 * (only when it held an Exif orientation, itself in a longer Exif).
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
    int orientation = 1;
    boolean orientationWritten = false;
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
      if (code == 0xe1 && hasId(in, pos + 2, length - 2, "Exif\0\0")) {
        int o = orientation(in, pos + 8, length - 8);
        orientation = o != 1 ? o : orientation;
      }
      if (!orientationWritten && (code < 0xe0 || code > 0xef) && code != COM) {
        orientationWritten = true; // The first table or frame: the APPn segments are behind us.
        if (orientation != 1) {
          byte[] exif = orientationExif(orientation);
          out.write(exif, 0, exif.length);
        }
      }
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

  /** The Exif orientation (tag 0x0112 in IFD0, TIFF 6.0), 1 when absent or unreadable. */
  private static int orientation(byte[] in, int tiff, int length) {
    if (length < 8 || tiff + length > in.length) {
      return 1;
    }
    boolean big = in[tiff] == 'M' && in[tiff + 1] == 'M';
    if (!big && !(in[tiff] == 'I' && in[tiff + 1] == 'I')) {
      return 1;
    }
    long ifd = u32(in, tiff + 4, big);
    if (ifd < 8 || ifd + 2 > length) {
      return 1;
    }
    int at = tiff + (int) ifd;
    int count = u16(in, at, big);
    for (int e = 0; e < count && at + 2 + 12 * (e + 1) <= tiff + length; e++) {
      int entry = at + 2 + 12 * e;
      if (u16(in, entry, big) == 0x0112 && u16(in, entry + 2, big) == 3) {
        int v = u16(in, entry + 8, big);
        return v >= 1 && v <= 8 ? v : 1;
      }
    }
    return 1;
  }

  /** An APP1 segment with an Exif whose IFD0 holds only Orientation = {@code orientation}. */
  static byte[] orientationExif(int orientation) {
    byte[] s = {
      (byte) 0xff,
      (byte) 0xe1,
      0,
      34, // APP1, length 34
      'E',
      'x',
      'i',
      'f',
      0,
      0,
      'M',
      'M',
      0,
      42,
      0,
      0,
      0,
      8, // TIFF header, IFD0 at 8
      0,
      1, // one entry
      0x01,
      0x12,
      0,
      3,
      0,
      0,
      0,
      1,
      0,
      (byte) orientation,
      0,
      0, // Orientation, SHORT, 1 value
      0,
      0,
      0,
      0 // no next IFD
    };
    return s;
  }

  private static int u16(byte[] in, int at, boolean big) {
    int a = in[at] & 0xff;
    int b = in[at + 1] & 0xff;
    return big ? a << 8 | b : b << 8 | a;
  }

  private static long u32(byte[] in, int at, boolean big) {
    long v = 0;
    for (int k = 0; k < 4; k++) {
      v = v << 8 | (in[at + (big ? k : 3 - k)] & 0xff);
    }
    return v;
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
