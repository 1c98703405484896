package org.grapevine.protocol.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import org.grapevine.protocol.internal.Hex;
import org.junit.jupiter.api.Test;

class Ed25519Test {
  private final Ed25519 ed = Ed25519.fastest();

  // RFC 8032 section 7.1, TEST 1 (empty message) and TEST 2 (one byte).
  private static final String SK1 =
      "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
  private static final String PK1 =
      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
  private static final String SIG1 =
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
  private static final String SK2 =
      "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
  private static final String PK2 =
      "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
  private static final String SIG2 =
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";

  @Test
  void sign_rfc8032Vectors_matchExactly() {
    assertThat(Hex.encode(ed.publicKey(Hex.decode(SK1)))).isEqualTo(PK1);
    assertThat(Hex.encode(ed.sign(Hex.decode(SK1), Hex.decode(PK1), new byte[0], 0, 0)))
        .isEqualTo(SIG1);
    byte[] m2 = Hex.decode("72");
    assertThat(Hex.encode(ed.sign(Hex.decode(SK2), Hex.decode(PK2), m2, 0, 1))).isEqualTo(SIG2);
  }

  @Test
  void verify_rfc8032Vectors_acceptsAndRejectsChangedMessage() {
    assertThat(ed.verify(Hex.decode(PK1), new byte[0], 0, 0, Hex.decode(SIG1))).isTrue();
    assertThat(ed.verify(Hex.decode(PK2), Hex.decode("72"), 0, 1, Hex.decode(SIG2))).isTrue();
    assertThat(ed.verify(Hex.decode(PK2), Hex.decode("73"), 0, 1, Hex.decode(SIG2))).isFalse();
    assertThat(ed.verify(Hex.decode(PK1), Hex.decode("72"), 0, 1, Hex.decode(SIG2))).isFalse();
  }

  @Test
  void verify_wrongLengths_falseNotException() {
    assertThat(ed.verify(new byte[31], new byte[0], 0, 0, Hex.decode(SIG1))).isFalse();
    assertThat(ed.verify(Hex.decode(PK1), new byte[0], 0, 0, new byte[63])).isFalse();
  }

  @Test
  void verify_smallOrderKeyWithTrivialSignature_rejected() {
    // The identity point as public key with R = identity, S = 0 "verifies" any message under a
    // cofactorless check that accepts small-order keys; a strict verifier refuses it.
    byte[] identityPoint = new byte[32];
    identityPoint[0] = 1;
    byte[] sig = new byte[64];
    sig[0] = 1;
    assertThat(ed.verify(identityPoint, Hex.decode("72"), 0, 1, sig)).isFalse();
  }

  @Test
  void verify_nonCanonicalS_rejected() {
    // S + L (the group order) is the same scalar, but a second encoding of one signature would
    // give entries two valid signatures; S must be below L.
    byte[] sig = Hex.decode(SIG1);
    byte[] l = Hex.decode("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
    int carry = 0;
    for (int i = 0; i < 32; i++) {
      int v = (sig[32 + i] & 0xff) + (l[i] & 0xff) + carry;
      sig[32 + i] = (byte) v;
      carry = v >>> 8;
    }
    assertThat(ed.verify(Hex.decode(PK1), new byte[0], 0, 0, sig)).isFalse();
  }
}
