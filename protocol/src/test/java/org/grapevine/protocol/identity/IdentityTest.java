package org.grapevine.protocol.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.Test;

class IdentityTest {
  private final Identity alice = Identity.of(TestAuthors.key("alice").publicKey());

  @Test
  void format_startsWithPrefixAndHasFixedLength() {
    assertThat(alice.toString()).startsWith("gv1").hasSize(Identity.STRING_LENGTH);
    assertThat(alice.toString()).matches("gv1[" + Bech32m.CHARSET + "]+");
  }

  @Test
  void parse_ownFormat_roundTrips() throws Exception {
    assertThat(Identity.parse(alice.toString())).isEqualTo(alice);
    assertThat(Identity.parse("  " + alice + "\n")).isEqualTo(alice);
  }

  @Test
  void parse_allUppercase_accepted() throws Exception {
    assertThat(Identity.parse(alice.toString().toUpperCase(Locale.ROOT))).isEqualTo(alice);
  }

  @Test
  void parse_everySingleCharacterSubstitution_isDetected() {
    // Exhaustive over positions after the prefix and every other character of the alphabet:
    // a one-character typo must never resolve to another identity.
    String s = alice.toString();
    int tried = 0;
    for (int pos = 3; pos < s.length(); pos++) {
      for (char c : Bech32m.CHARSET.toCharArray()) {
        if (c == s.charAt(pos)) {
          continue;
        }
        String typo = s.substring(0, pos) + c + s.substring(pos + 1);
        assertThatThrownBy(() -> Identity.parse(typo))
            .as(typo)
            .isInstanceOf(IdentityFormatException.class);
        tried++;
      }
    }
    assertThat(tried).isEqualTo((s.length() - 3) * 31);
  }

  @Test
  void parse_adjacentSwap_isDetected() {
    String s = alice.toString();
    for (int pos = 3; pos < s.length() - 1; pos++) {
      if (s.charAt(pos) == s.charAt(pos + 1)) {
        continue;
      }
      String swapped =
          s.substring(0, pos) + s.charAt(pos + 1) + s.charAt(pos) + s.substring(pos + 2);
      assertThatThrownBy(() -> Identity.parse(swapped)).isInstanceOf(IdentityFormatException.class);
    }
  }

  @Test
  void parse_errors_sayWhatIsWrong() {
    String s = alice.toString();
    assertProblem("", IdentityFormatException.Problem.EMPTY);
    assertProblem(s + "q", IdentityFormatException.Problem.TOO_LONG);
    assertProblem(s.substring(0, 40), IdentityFormatException.Problem.WRONG_LENGTH);
    assertProblem(
        "gv1" + s.substring(3, 10).toUpperCase(Locale.ROOT) + s.substring(10),
        IdentityFormatException.Problem.MIXED_CASE);
    assertProblem("xx" + s.substring(2), IdentityFormatException.Problem.WRONG_PREFIX);
    IdentityFormatException e =
        assertProblem(
            s.substring(0, 10) + "b" + s.substring(11),
            IdentityFormatException.Problem.INVALID_CHARACTER);
    assertThat(e.getMessage()).contains("'b'").contains("position 11");
    String typo = s.substring(0, 10) + (s.charAt(10) == 'q' ? 'p' : 'q') + s.substring(11);
    assertThat(assertProblem(typo, IdentityFormatException.Problem.BAD_CHECKSUM).getMessage())
        .contains("mistyped");
  }

  @Test
  void parse_unknownVersion_rejected() {
    byte[] payload = new byte[33];
    payload[0] = 2;
    System.arraycopy(alice.root().unsafeBytes(), 0, payload, 1, 32);
    assertProblem(Bech32m.encode("gv", payload), IdentityFormatException.Problem.UNKNOWN_VERSION);
  }

  @Test
  void parse_notACurvePoint_rejected() {
    byte[] payload = new byte[33];
    payload[0] = 1;
    payload[1] = 1; // The identity point: small order, no one can own it.
    assertProblem(Bech32m.encode("gv", payload), IdentityFormatException.Problem.NOT_A_PUBLIC_KEY);
  }

  @Test
  void bech32m_bip350ValidVectors_haveValidChecksums() {
    for (String v :
        new String[] {
          "A1LQFN3A",
          "a1lqfn3a",
          "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
          "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
          "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
          "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
          "?1v759aa"
        }) {
      assertThat(Bech32m.checksumValid(v.toLowerCase(Locale.ROOT))).as(v).isTrue();
    }
  }

  @Test
  void bech32m_bech32NotMChecksum_rejected() {
    // BIP-173 (bech32, not m) vector: the checksum constant must tell the variants apart.
    assertThat(Bech32m.checksumValid("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw")).isFalse();
    assertThat(Bech32m.checksumValid("a12uel5l")).isFalse();
  }

  @Property(tries = 200)
  void parse_formatOfAnyKey_roundTrips(@ForAll("keys") SigningKey key) throws Exception {
    Identity id = Identity.of(key.publicKey());
    assertThat(Identity.parse(id.toString())).isEqualTo(id);
  }

  @Property(tries = 2000)
  void parse_anyString_returnsOrThrowsTypedError(@ForAll String input) {
    try {
      Identity.parse(input);
    } catch (IdentityFormatException expected) {
      assertThat(expected.problem()).isNotNull();
    }
  }

  @Property(tries = 2000)
  void parse_anyStringOverTheAlphabet_returnsOrThrowsTypedError(@ForAll("bech32ish") String input) {
    try {
      Identity.parse(input);
    } catch (IdentityFormatException expected) {
      assertThat(expected.getMessage()).startsWith("not a Grapevine identity: ");
    }
  }

  @Provide
  Arbitrary<SigningKey> keys() {
    return Arbitraries.bytes().array(byte[].class).ofSize(32).map(SigningKey::fromSeed);
  }

  @Provide
  Arbitrary<String> bech32ish() {
    return Arbitraries.strings()
        .withChars(("gv1" + Bech32m.CHARSET + "bioGV").toCharArray())
        .ofMinLength(0)
        .ofMaxLength(70)
        .map(s -> s.length() > 3 && s.hashCode() % 2 == 0 ? "gv1" + s.substring(3) : s);
  }

  private static IdentityFormatException assertProblem(
      String input, IdentityFormatException.Problem problem) {
    IdentityFormatException e =
        catchThrowableOfType(IdentityFormatException.class, () -> Identity.parse(input));
    assertThat(e).as(input).isNotNull();
    assertThat(e.problem()).as(e.getMessage()).isEqualTo(problem);
    return e;
  }
}
