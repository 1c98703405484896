package org.grapevine.libp2p.noise.crypto;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Inputs shared by several RFC 8439 test vectors, transcribed from the RFC's hex dumps. */
final class Rfc8439Vectors {
  private static final HexFormat HEX = HexFormat.of();

  /** Sections 2.3.2 and 2.4.2: 00:01:02:...:1f. */
  static final byte[] KEY_COUNTING =
      hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

  /** Sections 2.6.2 and 2.8.2: 80:81:...:9f. */
  static final byte[] KEY_80 =
      hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");

  /** Appendix A.2 #3, A.3 #4, A.4 #3 and A.5. */
  static final byte[] KEY_1C92 =
      hex("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0");

  static final byte[] KEY_ZERO = new byte[32];

  /** Appendix A.1 #3, A.2 #2, A.4 #2: 31 zero bytes, then 01. */
  static final byte[] KEY_ONE =
      hex("0000000000000000000000000000000000000000000000000000000000000001");

  /** Sections 2.4.2 and 2.8.2 (114 bytes). */
  static final byte[] SUNSCREEN =
      ascii(
          "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future,"
              + " sunscreen would be it.");

  /** Appendix A.2 #2 and A.3 #2, #3 (375 bytes). */
  static final byte[] IETF_CONTRIBUTION =
      ascii(
          "Any submission to the IETF intended by the Contributor for publication as all or part of an"
              + " IETF Internet-Draft or RFC and any statement made within the context of an IETF activity is considered an \"IETF"
              + " Contribution\". Such statements include oral statements in IETF sessions, as well as written and electronic"
              + " communications made at any time or place, which are addressed to");

  /** Appendix A.2 #3 and A.3 #4 (127 bytes). */
  static final byte[] JABBERWOCKY =
      ascii(
          "'Twas brillig, and the slithy toves\nDid gyre and gimble in the wabe:\nAll mimsy were the"
              + " borogoves,\nAnd the mome raths outgrabe.");

  private Rfc8439Vectors() {}

  static byte[] hex(String s) {
    return HEX.parseHex(s.replace(" ", ""));
  }

  static String hex(byte[] b) {
    return HEX.formatHex(b);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
