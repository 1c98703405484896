package org.grapevine.libp2p.encoding;

import java.util.Arrays;

/**
 * Base58btc (the Bitcoin alphabet), the display form of peer IDs. Written for inputs of a few dozen
 * bytes.
 */
public final class Base58 {
  private static final char[] ALPHABET =
      "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".toCharArray();
  private static final int[] INDEX = new int[128];

  static {
    Arrays.fill(INDEX, -1);
    for (int i = 0; i < ALPHABET.length; i++) {
      INDEX[ALPHABET[i]] = i;
    }
  }

  private Base58() {}

  public static String encode(byte[] input) {
    if (input.length == 0) {
      return "";
    }
    int zeros = 0;
    while (zeros < input.length && input[zeros] == 0) {
      zeros++;
    }
    byte[] digits = new byte[input.length * 2]; // base-58 digits, least significant first
    int len = 0;
    for (int i = zeros; i < input.length; i++) {
      int carry = input[i] & 0xff;
      for (int j = 0; j < len; j++) {
        carry += (digits[j] & 0xff) << 8;
        digits[j] = (byte) (carry % 58);
        carry /= 58;
      }
      while (carry > 0) {
        digits[len++] = (byte) (carry % 58);
        carry /= 58;
      }
    }
    StringBuilder sb = new StringBuilder(zeros + len);
    for (int i = 0; i < zeros; i++) {
      sb.append('1');
    }
    for (int i = len - 1; i >= 0; i--) {
      sb.append(ALPHABET[digits[i]]);
    }
    return sb.toString();
  }

  /**
   * Decodes; throws {@link IllegalArgumentException} naming the first character outside the
   * alphabet.
   */
  public static byte[] decode(String input) {
    int zeros = 0;
    while (zeros < input.length() && input.charAt(zeros) == '1') {
      zeros++;
    }
    byte[] bytes = new byte[input.length()]; // base-256 digits, least significant first
    int len = 0;
    for (int i = zeros; i < input.length(); i++) {
      char c = input.charAt(i);
      int carry = c < 128 ? INDEX[c] : -1;
      if (carry < 0) {
        throw new IllegalArgumentException(
            "'" + c + "' at position " + i + " is not a base58 character");
      }
      for (int j = 0; j < len; j++) {
        carry += (bytes[j] & 0xff) * 58;
        bytes[j] = (byte) carry;
        carry >>>= 8;
      }
      while (carry > 0) {
        bytes[len++] = (byte) carry;
        carry >>>= 8;
      }
    }
    byte[] out = new byte[zeros + len];
    for (int i = 0; i < len; i++) {
      out[zeros + i] = bytes[len - 1 - i];
    }
    return out;
  }
}
