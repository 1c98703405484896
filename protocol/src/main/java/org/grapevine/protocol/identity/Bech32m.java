package org.grapevine.protocol.identity;

import java.io.ByteArrayOutputStream;

/**
 * Bech32m (BIP-350, on the BIP-173 encoding): a checksummed base-32 text form that survives
 * copy-paste (one word, no ambiguous characters such as 1/l or 0/o in the data part) and detects
 * any error in up to four characters of a string of our length.
 *
 * <p>Only what Grapevine needs: encode 8-bit payloads and decode them back, with typed errors.
 */
final class Bech32m {
  static final String CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
  private static final int CHECKSUM_CHARS = 6;
  private static final int BECH32M_CONST = 0x2bc830a3;
  private static final int[] GENERATOR = {
    0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3
  };
  private static final int[] CHARSET_REV = new int[128];

  static {
    java.util.Arrays.fill(CHARSET_REV, -1);
    for (int i = 0; i < CHARSET.length(); i++) {
      CHARSET_REV[CHARSET.charAt(i)] = i;
    }
  }

  private Bech32m() {}

  /** A decoded string: its human-readable part and its 8-bit payload. */
  @SuppressWarnings("ArrayRecordComponent") // a return value read once, never compared or hashed
  record Decoded(String hrp, byte[] payload) {}

  static String encode(String hrp, byte[] payload) {
    byte[] data = convertBits(payload, 8, 5, true);
    int[] checksum = checksum(hrp, data);
    StringBuilder sb = new StringBuilder(hrp.length() + 1 + data.length + CHECKSUM_CHARS);
    sb.append(hrp).append('1');
    for (byte d : data) {
      sb.append(CHARSET.charAt(d));
    }
    for (int c : checksum) {
      sb.append(CHARSET.charAt(c));
    }
    return sb.toString();
  }

  /** Decodes {@code text}, which the caller has already checked for length and case. */
  static Decoded decode(String text) throws IdentityFormatException {
    return decode(text, Identity.HRP, "identity strings");
  }

  /**
   * Decodes {@code text} (length and case already checked); messages name {@code hrp} as the
   * expected prefix and {@code what} as the kind of string ("identity strings", "invites").
   */
  static Decoded decode(String text, String hrp, String what) throws IdentityFormatException {
    int sep = text.lastIndexOf('1');
    if (sep < 1) {
      throw new IdentityFormatException(
          IdentityFormatException.Problem.WRONG_PREFIX, "missing the \"" + hrp + "1\" prefix");
    }
    if (text.length() - sep - 1 < CHECKSUM_CHARS) {
      throw new IdentityFormatException(
          IdentityFormatException.Problem.WRONG_LENGTH, "too short to carry a checksum");
    }
    String actualHrp = text.substring(0, sep);
    byte[] data = new byte[text.length() - sep - 1];
    for (int i = 0; i < data.length; i++) {
      char c = text.charAt(sep + 1 + i);
      int v = c < 128 ? CHARSET_REV[c] : -1;
      if (v < 0) {
        throw new IdentityFormatException(
            IdentityFormatException.Problem.INVALID_CHARACTER,
            "character '"
                + c
                + "' at position "
                + (sep + 2 + i)
                + " is not used in "
                + what
                + " (they never contain 1, b, i or o after the prefix)");
      }
      data[i] = (byte) v;
    }
    if (polymod(actualHrp, data, 0) != BECH32M_CONST) {
      throw new IdentityFormatException(
          IdentityFormatException.Problem.BAD_CHECKSUM,
          "checksum does not match: a character is mistyped, missing or swapped");
    }
    byte[] values = java.util.Arrays.copyOf(data, data.length - CHECKSUM_CHARS);
    byte[] payload = convertBits(values, 5, 8, false);
    if (payload == null) {
      throw new IdentityFormatException(
          IdentityFormatException.Problem.WRONG_LENGTH, "the data part has invalid padding");
    }
    return new Decoded(actualHrp, payload);
  }

  /** Whether a lowercase string carries a valid bech32m checksum; for the BIP-350 vectors. */
  static boolean checksumValid(String text) {
    int sep = text.lastIndexOf('1');
    if (sep < 1 || text.length() - sep - 1 < CHECKSUM_CHARS) {
      return false;
    }
    byte[] data = new byte[text.length() - sep - 1];
    for (int i = 0; i < data.length; i++) {
      char c = text.charAt(sep + 1 + i);
      int v = c < 128 ? CHARSET_REV[c] : -1;
      if (v < 0) {
        return false;
      }
      data[i] = (byte) v;
    }
    return polymod(text.substring(0, sep), data, 0) == BECH32M_CONST;
  }

  private static int[] checksum(String hrp, byte[] data) {
    int mod = polymod(hrp, data, CHECKSUM_CHARS) ^ BECH32M_CONST;
    int[] out = new int[CHECKSUM_CHARS];
    for (int i = 0; i < CHECKSUM_CHARS; i++) {
      out[i] = (mod >>> (5 * (5 - i))) & 31;
    }
    return out;
  }

  /** The BCH checksum over the expanded hrp, the data and {@code zeros} trailing zero values. */
  private static int polymod(String hrp, byte[] data, int zeros) {
    int chk = 1;
    for (int i = 0; i < hrp.length(); i++) {
      chk = step(chk, hrp.charAt(i) >> 5);
    }
    chk = step(chk, 0);
    for (int i = 0; i < hrp.length(); i++) {
      chk = step(chk, hrp.charAt(i) & 31);
    }
    for (byte d : data) {
      chk = step(chk, d);
    }
    for (int i = 0; i < zeros; i++) {
      chk = step(chk, 0);
    }
    return chk;
  }

  private static int step(int chk, int value) {
    int top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ value;
    for (int i = 0; i < 5; i++) {
      if (((top >>> i) & 1) != 0) {
        chk ^= GENERATOR[i];
      }
    }
    return chk;
  }

  /** Regroups bits; returns null when unpadded input leaves non-zero or over-long padding. */
  private static byte[] convertBits(byte[] in, int fromBits, int toBits, boolean pad) {
    int acc = 0;
    int bits = 0;
    int maxv = (1 << toBits) - 1;
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length * fromBits / toBits + 1);
    for (byte b : in) {
      acc = (acc << fromBits) | (b & 0xff);
      bits += fromBits;
      while (bits >= toBits) {
        bits -= toBits;
        out.write((acc >>> bits) & maxv);
      }
    }
    if (pad) {
      if (bits > 0) {
        out.write((acc << (toBits - bits)) & maxv);
      }
    } else if (bits >= fromBits || ((acc << (toBits - bits)) & maxv) != 0) {
      return null;
    }
    return out.toByteArray();
  }
}
