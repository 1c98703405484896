package org.grapevine.libp2p.noise.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Poly1305 against the RFC 8439 section 2.5 definition computed with {@link BigInteger}, for random
 * keys and messages and for the operands that stress a radix-2^64 implementation: {@code r} with
 * every bit clamping allows, blocks of all ones (so {@code h + block} carries through both words
 * and the top word reaches its bound), and lengths on and next to the 16-byte block boundary.
 */
class Poly1305ReferenceTest {
  private static final BigInteger P = BigInteger.ONE.shiftLeft(130).subtract(BigInteger.valueOf(5));
  private static final BigInteger CLAMP = new BigInteger("0ffffffc0ffffffc0ffffffc0fffffff", 16);
  private static final BigInteger MOD_128 = BigInteger.ONE.shiftLeft(128);

  @Property(tries = 3000, seed = "1305")
  void message_randomKeyAndText_equalsBigIntegerDefinition(
      @ForAll("keys") byte[] key,
      @ForAll("lengths") int len,
      @ForAll("fills") Tuple.Tuple2<Integer, Long> fill) {
    byte[] msg = message(len, fill.get1(), fill.get2());
    Poly1305 p = new Poly1305();
    p.init(key, 0);
    p.message(msg, 0, len);
    byte[] tag = new byte[16];
    p.finish(tag, 0);
    assertThat(tag).isEqualTo(reference(key, msg));
  }

  @Property(tries = 1000, seed = "2805")
  void padded_inPiecesThenLengths_equalsDefinitionOfTheAeadInput(
      @ForAll("keys") byte[] key,
      @ForAll("lengths") int adLen,
      @ForAll("lengths") int ctLen,
      @ForAll("fills") Tuple.Tuple2<Integer, Long> fill) {
    byte[] ad = message(adLen, fill.get1(), fill.get2());
    byte[] ct = message(ctLen, fill.get1(), ~fill.get2());
    Poly1305 p = new Poly1305();
    p.init(key, 0);
    p.padded(ad, 0, adLen);
    p.padded(ct, 0, ctLen);
    p.lengths(adLen, ctLen);
    byte[] tag = new byte[16];
    p.finish(tag, 0);

    // RFC 8439 section 2.8: ad || pad16 || ct || pad16 || le64(adLen) || le64(ctLen).
    int padAd = (adLen + 15) & ~15;
    int padCt = (ctLen + 15) & ~15;
    byte[] macData = new byte[padAd + padCt + 16];
    System.arraycopy(ad, 0, macData, 0, adLen);
    System.arraycopy(ct, 0, macData, padAd, ctLen);
    for (int i = 0; i < 8; i++) {
      macData[padAd + padCt + i] = (byte) ((long) adLen >>> (8 * i));
      macData[padAd + padCt + 8 + i] = (byte) ((long) ctLen >>> (8 * i));
    }
    assertThat(tag).isEqualTo(reference(key, macData));
  }

  /** Random keys, and keys whose {@code r} has every bit clamping leaves (the largest products). */
  @Provide
  Arbitrary<byte[]> keys() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofSize(32);
    Arbitrary<byte[]> maxR =
        random.map(
            k -> {
              byte[] r = k.clone();
              Arrays.fill(r, 0, 16, (byte) 0xff);
              return r;
            });
    return Arbitraries.frequencyOf(Tuple.of(2, random), Tuple.of(1, maxR));
  }

  /** Up to 1100 bytes, half of them within one byte of a multiple of 16. */
  @Provide
  Arbitrary<Integer> lengths() {
    Arbitrary<Integer> edges =
        Arbitraries.integers()
            .between(0, 68)
            .flatMap(k -> Arbitraries.of(-1, 0, 1).map(d -> Math.max(0, 16 * k + d)));
    return Arbitraries.oneOf(edges, Arbitraries.integers().between(0, 1100));
  }

  /** How to fill a message: 0 random, 1 all 0xff, 2 all zero, 3 random with 0xff runs. */
  @Provide
  Arbitrary<Tuple.Tuple2<Integer, Long>> fills() {
    return Arbitraries.integers()
        .between(0, 3)
        .flatMap(kind -> Arbitraries.longs().map(seed -> Tuple.of(kind, seed)));
  }

  private static byte[] message(int len, int kind, long seed) {
    byte[] m = new byte[len];
    SplittableRandom random = new SplittableRandom(seed);
    switch (kind) {
      case 0 -> random.nextBytes(m);
      case 1 -> Arrays.fill(m, (byte) 0xff);
      case 2 -> {}
      default -> {
        random.nextBytes(m);
        for (int i = 0; i < len; i++) {
          if (random.nextInt(3) == 0) {
            m[i] = (byte) 0xff;
          }
        }
      }
    }
    return m;
  }

  /**
   * RFC 8439 section 2.5.1, literally: per 16-byte chunk, append 0x01, add, multiply by r, mod p.
   */
  private static byte[] reference(byte[] key, byte[] msg) {
    BigInteger r = le(Arrays.copyOfRange(key, 0, 16)).and(CLAMP);
    BigInteger s = le(Arrays.copyOfRange(key, 16, 32));
    BigInteger acc = BigInteger.ZERO;
    for (int i = 0; i < msg.length; i += 16) {
      int n = Math.min(16, msg.length - i);
      byte[] block = Arrays.copyOfRange(msg, i, i + n + 1);
      block[n] = 1;
      acc = acc.add(le(block)).multiply(r).mod(P);
    }
    BigInteger tag = acc.add(s).mod(MOD_128);
    byte[] out = new byte[16];
    for (int i = 0; i < 16; i++) {
      out[i] = tag.shiftRight(8 * i).byteValue();
    }
    return out;
  }

  private static BigInteger le(byte[] b) {
    byte[] be = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      be[b.length - 1 - i] = b[i];
    }
    return new BigInteger(1, be);
  }
}
