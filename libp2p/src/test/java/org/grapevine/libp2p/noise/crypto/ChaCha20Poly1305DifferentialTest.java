package org.grapevine.libp2p.noise.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.SplittableRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Byte-for-byte agreement with the JDK's {@code ChaCha20-Poly1305} for random keys, nonces,
 * associated data and lengths up to 70000 (biased to the 16- and 64-byte boundaries where limb and
 * block code breaks), and rejection of every single-bit change.
 */
class ChaCha20Poly1305DifferentialTest {
  @Property(tries = 2500, seed = "8439")
  void encrypt_randomInputs_equalsJdkAndDecryptRejectsAnyFlippedBit(
      @ForAll @Size(32) byte[] key,
      @ForAll @Size(12) byte[] nonce,
      @ForAll @Size(max = 100) byte[] ad,
      @ForAll("lengths") int len,
      @ForAll long contentSeed,
      @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int flipChoice)
      throws Exception {
    byte[] plain = new byte[len];
    new SplittableRandom(contentSeed).nextBytes(plain);
    byte[] jdk = jdk(Cipher.ENCRYPT_MODE, key, nonce, ad, plain);

    ChaCha20Poly1305 aead = new ChaCha20Poly1305(key);
    byte[] ours = new byte[len + 16];
    assertThat(aead.encrypt(nonce, ad, plain, 0, len, ours, 0)).isEqualTo(len + 16);
    assertThat(ours).isEqualTo(jdk);

    byte[] opened = new byte[len];
    assertThat(aead.decrypt(nonce, ad, jdk, 0, jdk.length, opened, 0)).isEqualTo(len);
    assertThat(opened).isEqualTo(plain);

    // One flipped bit anywhere in (ciphertext || tag, associated data, nonce) must fail.
    byte[] sealed = jdk.clone();
    byte[] badAd = ad.clone();
    byte[] badNonce = nonce.clone();
    int bits = 8 * (sealed.length + badAd.length + badNonce.length);
    int bit = Math.floorMod(flipChoice, bits);
    flip(bit, sealed, badAd, badNonce);
    byte[] untouched = new byte[len];
    assertThatThrownBy(() -> aead.decrypt(badNonce, badAd, sealed, 0, sealed.length, untouched, 0))
        .as("bit %d of %d", bit, bits)
        .isInstanceOf(AEADBadTagException.class);
    assertThat(untouched).isEqualTo(new byte[len]);
  }

  @Property(tries = 300, seed = "7539")
  void decrypt_jdkCiphertextInPlaceWithNoiseCounter_restoresPlaintext(
      @ForAll @Size(32) byte[] key,
      @ForAll long counter,
      @ForAll("lengths") int len,
      @ForAll long contentSeed)
      throws Exception {
    byte[] plain = new byte[len];
    new SplittableRandom(contentSeed).nextBytes(plain);
    byte[] nonce = new byte[12];
    for (int i = 0; i < 8; i++) {
      nonce[4 + i] = (byte) (counter >>> (8 * i));
    }
    byte[] buf = jdk(Cipher.ENCRYPT_MODE, key, nonce, new byte[0], plain);
    new ChaCha20Poly1305(key).decrypt(counter, null, buf, 0, buf.length, buf, 0);
    assertThat(Arrays.copyOf(buf, len)).isEqualTo(plain);
  }

  /** Any length up to 70000, weighted towards multiples of 16 and 64 plus or minus a little. */
  @Provide
  Arbitrary<Integer> lengths() {
    Arbitrary<Integer> polyEdges =
        Arbitraries.integers()
            .between(0, 4375)
            .flatMap(k -> Arbitraries.of(-1, 0, 1).map(d -> Math.max(0, 16 * k + d)));
    Arbitrary<Integer> blockEdges =
        Arbitraries.integers()
            .between(0, 1093)
            .flatMap(k -> Arbitraries.integers().between(-2, 2).map(d -> Math.max(0, 64 * k + d)));
    return Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.integers().between(0, 300)),
        Tuple.of(3, polyEdges),
        Tuple.of(3, blockEdges),
        Tuple.of(1, Arbitraries.integers().between(0, 70000)),
        Tuple.of(1, Arbitraries.of(65519, 65535, 69999, 70000)));
  }

  private static void flip(int bit, byte[]... arrays) {
    int byteIndex = bit / 8;
    for (byte[] a : arrays) {
      if (byteIndex < a.length) {
        a[byteIndex] ^= (byte) (1 << (bit % 8));
        return;
      }
      byteIndex -= a.length;
    }
    throw new AssertionError("bit out of range: " + bit);
  }

  private static byte[] jdk(int mode, byte[] key, byte[] nonce, byte[] ad, byte[] input)
      throws GeneralSecurityException {
    Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
    c.init(mode, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
    c.updateAAD(ad);
    return c.doFinal(input);
  }
}
