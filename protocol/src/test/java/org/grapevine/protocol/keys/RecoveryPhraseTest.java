package org.grapevine.protocol.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Locale;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.grapevine.protocol.internal.Hex;
import org.junit.jupiter.api.Test;

class RecoveryPhraseTest {
  @Test
  void encode_bip39EntropyVectors_matchTheWordEncoding() {
    // BIP-39 reference vectors (entropy -> mnemonic; we use only the word encoding, not the seed).
    assertThat(RecoveryPhrase.encode(new byte[32]))
        .isEqualTo(
            "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
                + "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art");
    byte[] ff = new byte[32];
    java.util.Arrays.fill(ff, (byte) 0xff);
    assertThat(RecoveryPhrase.encode(ff))
        .isEqualTo(
            "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo vote");
    assertThat(
            RecoveryPhrase.encode(
                Hex.decode("7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f")))
        .isEqualTo(
            "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful "
                + "legal winner thank year wave sausage worth title");
  }

  @Property(tries = 300)
  void decode_encodeOfAnySeed_roundTrips(@ForAll @Size(32) byte[] seed) throws Exception {
    assertThat(RecoveryPhrase.decode(RecoveryPhrase.encode(seed))).isEqualTo(seed);
  }

  @Test
  void decode_sloppyButUnambiguousInput_accepted() throws Exception {
    byte[] seed = Hex.decode("7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f");
    String phrase = RecoveryPhrase.encode(seed);
    String sloppy = "  " + phrase.toUpperCase(Locale.ROOT).replace(" ", "\n  ") + " ";
    assertThat(RecoveryPhrase.decode(sloppy)).isEqualTo(seed);
    String abbreviated = phrase.replace("sausage", "saus").replace("winner", "winn");
    assertThat(RecoveryPhrase.decode(abbreviated)).isEqualTo(seed);
  }

  @Test
  void decode_errors_sayWhichWordOrThatOneIsWrong() {
    String phrase = RecoveryPhrase.encode(new byte[32]);
    RecoveryPhraseException count =
        catchThrowableOfType(
            RecoveryPhraseException.class,
            () -> RecoveryPhrase.decode(phrase.substring(0, phrase.lastIndexOf(' '))));
    assertThat(count.problem()).isEqualTo(RecoveryPhraseException.Problem.WRONG_WORD_COUNT);
    assertThat(count.getMessage()).contains("23");
    RecoveryPhraseException unknown =
        catchThrowableOfType(
            RecoveryPhraseException.class,
            () -> RecoveryPhrase.decode(phrase.replaceFirst("abandon", "abandun")));
    assertThat(unknown.problem()).isEqualTo(RecoveryPhraseException.Problem.UNKNOWN_WORD);
    assertThat(unknown.getMessage()).contains("word 1").contains("abandon");
    RecoveryPhraseException checksum =
        catchThrowableOfType(
            RecoveryPhraseException.class,
            () -> RecoveryPhrase.decode(phrase.replaceFirst("abandon", "ability")));
    assertThat(checksum.problem()).isEqualTo(RecoveryPhraseException.Problem.BAD_CHECKSUM);
    RecoveryPhraseException prefixTypo =
        catchThrowableOfType(
            RecoveryPhraseException.class,
            () -> RecoveryPhrase.decode(phrase.replaceFirst("abandon", "abanx")));
    assertThat(prefixTypo.problem()).isEqualTo(RecoveryPhraseException.Problem.UNKNOWN_WORD);
  }

  @Property(tries = 1000)
  void decode_anyString_seedOrTypedError(@ForAll String input) {
    try {
      assertThat(RecoveryPhrase.decode(input)).hasSize(32);
    } catch (RecoveryPhraseException expected) {
      assertThat(expected.problem()).isNotNull();
    }
  }
}
