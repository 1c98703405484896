package org.grapevine.libp2p.kad;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.Test;

class KadKeyTest {
  private static final HexFormat HEX = HexFormat.of();

  private static KadKey hash(String hex) {
    return KadKey.fromHash(HEX.parseHex(hex));
  }

  private static String zeros(int bytes) {
    return "00".repeat(bytes);
  }

  @Test
  void of_bytes_isTheirSha256() {
    // FIPS 180-2 example: SHA-256("abc").
    assertThat(KadKey.of("abc".getBytes(UTF_8)).toString())
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void of_peer_hashesThePeerIdMultihashBytes() {
    PeerId peer = PeerId.parse("12D3KooWA4Xop1JaT3MHxwYMkCepYsv4iPVopMXwCz5iHYdBfeSB");
    assertThat(KadKey.of(peer)).isEqualTo(KadKey.of(peer.toBytes()));
    assertThat(KadKey.of(peer)).isNotEqualTo(KadKey.of(peer.toBase58().getBytes(UTF_8)));
  }

  @Test
  void commonPrefixLength_examples() {
    KadKey zero = hash(zeros(32));
    assertThat(zero.commonPrefixLength(zero)).isEqualTo(256);
    assertThat(zero.commonPrefixLength(hash("80" + zeros(31)))).isZero();
    assertThat(zero.commonPrefixLength(hash("01" + zeros(31)))).isEqualTo(7);
    assertThat(zero.commonPrefixLength(hash("0040" + zeros(30)))).isEqualTo(9);
    assertThat(zero.commonPrefixLength(hash(zeros(31) + "01"))).isEqualTo(255);
  }

  @Test
  void compareDistance_sharedPrefixBeatsSmallerValue() {
    KadKey target = hash("f0" + zeros(31));
    KadKey near = hash("ff" + zeros(31)); // distance 0x0f...
    KadKey far = hash("00" + zeros(31)); // distance 0xf0...
    assertThat(target.compareDistance(near, far)).isNegative();
    assertThat(target.compareDistance(far, near)).isPositive();
    assertThat(target.compareDistance(near, near)).isZero();
  }

  @Test
  void fromHash_wrongLength_isRefused() {
    assertThatThrownBy(() -> KadKey.fromHash(new byte[31]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Property
  void distance_isSymmetricAndZeroOnlyForItself(
      @ForAll @Size(32) byte[] a, @ForAll @Size(32) byte[] b) {
    KadKey ka = KadKey.fromHash(a);
    KadKey kb = KadKey.fromHash(b);
    assertThat(ka.distance(kb)).isEqualTo(kb.distance(ka));
    assertThat(ka.distance(ka)).isEqualTo(new byte[32]);
    assertThat(Arrays.equals(ka.distance(kb), new byte[32])).isEqualTo(ka.equals(kb));
  }

  @Property
  void compareDistance_agreesWithUnsignedOrderOfXor(
      @ForAll @Size(32) byte[] t, @ForAll @Size(32) byte[] a, @ForAll @Size(32) byte[] b) {
    KadKey target = KadKey.fromHash(t);
    KadKey ka = KadKey.fromHash(a);
    KadKey kb = KadKey.fromHash(b);
    int expected = Arrays.compareUnsigned(target.distance(ka), target.distance(kb));
    assertThat(Integer.signum(target.compareDistance(ka, kb))).isEqualTo(Integer.signum(expected));
  }

  @Property
  void commonPrefixLength_isLeadingZerosOfTheDistance(
      @ForAll @Size(32) byte[] a, @ForAll @Size(32) byte[] b) {
    byte[] d = KadKey.fromHash(a).distance(KadKey.fromHash(b));
    int zeros = 0;
    while (zeros < 256 && (d[zeros / 8] & (0x80 >>> (zeros % 8))) == 0) {
      zeros++;
    }
    assertThat(KadKey.fromHash(a).commonPrefixLength(KadKey.fromHash(b))).isEqualTo(zeros);
  }

  @Property
  void randomWithPrefix_sharesExactlyThatPrefix(
      @ForAll @Size(32) byte[] base,
      @ForAll @IntRange(min = 0, max = 255) int cpl,
      @ForAll long seed) {
    KadKey b = KadKey.fromHash(base);
    KadKey k = KadKey.randomWithPrefix(b, cpl, new SplittableRandom(seed));
    assertThat(b.commonPrefixLength(k)).isEqualTo(cpl);
  }

  /**
   * The word-at-a-time comparison and prefix count equal the byte-wise definitions, on keys that
   * share long prefixes (where a word boundary matters) as well as random ones.
   */
  @Test
  void compareDistanceAndPrefix_equalTheByteWiseDefinitions() {
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 20_000; i++) {
      byte[] t = new byte[KadKey.BYTES];
      random.nextBytes(t);
      KadKey target = KadKey.fromHash(t);
      KadKey a = KadKey.randomWithPrefix(target, random.nextInt(KadKey.BITS), random);
      KadKey b =
          random.nextBoolean()
              ? KadKey.randomWithPrefix(a, random.nextInt(KadKey.BITS), random)
              : KadKey.fromHash(a.toBytes());
      int bytewise = Arrays.compareUnsigned(a.distance(target), b.distance(target));
      assertThat(Integer.signum(target.compareDistance(a, b))).isEqualTo(Integer.signum(bytewise));
      assertThat(a.commonPrefixLength(b)).isEqualTo(prefixBytewise(a.toBytes(), b.toBytes()));
    }
  }

  private static int prefixBytewise(byte[] a, byte[] b) {
    for (int i = 0; i < a.length; i++) {
      int x = (a[i] ^ b[i]) & 0xff;
      if (x != 0) {
        return i * 8 + Integer.numberOfLeadingZeros(x) - 24;
      }
    }
    return a.length * 8;
  }
}
