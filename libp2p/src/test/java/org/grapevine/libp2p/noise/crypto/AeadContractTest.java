package org.grapevine.libp2p.noise.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.SplittableRandom;
import javax.crypto.AEADBadTagException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Both {@link Aead} implementations through the Noise transport path ({@link ByteBuf}s, heap and
 * direct, with a counter nonce): the same sealed bytes, each opens the other's, and a flipped bit
 * fails with nothing written and no index moved.
 */
class AeadContractTest {
  @Property(tries = 400, seed = "2508")
  void byteBufPath_bothImplementations_agreeAndRejectTampering(
      @ForAll @Size(32) byte[] key,
      @ForAll long counter,
      @ForAll("lengths") int len,
      @ForAll long contentSeed,
      @ForAll boolean directIn,
      @ForAll boolean directOut)
      throws Exception {
    byte[] plain = new byte[len];
    new SplittableRandom(contentSeed).nextBytes(plain);
    Aead ours = AeadImplementation.OURS.create(key);
    Aead jdk = AeadImplementation.JDK.create(key);

    byte[] sealedByOurs = seal(ours, counter, plain, directIn, directOut);
    byte[] sealedByJdk = seal(jdk, counter, plain, directIn, directOut);
    assertThat(sealedByJdk).isEqualTo(sealedByOurs);

    assertThat(open(ours, counter, sealedByJdk, directIn, directOut)).isEqualTo(plain);
    assertThat(open(AeadImplementation.JDK.create(key), counter, sealedByOurs, directIn, directOut))
        .isEqualTo(plain);

    int bit = (int) Math.floorMod(contentSeed, 8L * sealedByOurs.length);
    byte[] tampered = sealedByOurs.clone();
    tampered[bit / 8] ^= (byte) (1 << (bit % 8));
    for (Aead aead : new Aead[] {ours, AeadImplementation.JDK.create(key)}) {
      ByteBuf in = buffer(directIn, tampered.length).writeBytes(tampered);
      ByteBuf out = buffer(directOut, len);
      try {
        assertThatThrownBy(() -> aead.decrypt(counter, in, tampered.length, out))
            .isInstanceOf(AEADBadTagException.class);
        assertThat(in.readerIndex()).isZero();
        assertThat(out.writerIndex()).isZero();
      } finally {
        in.release();
        out.release();
      }
    }
  }

  @Provide
  Arbitrary<Integer> lengths() {
    return Arbitraries.oneOf(
        Arbitraries.integers().between(0, 200),
        Arbitraries.integers()
            .between(0, 4095)
            .flatMap(k -> Arbitraries.of(-1, 0, 1).map(d -> Math.max(0, 16 * k + d))),
        Arbitraries.of(65519, 65518, 65520 - 16));
  }

  private static byte[] seal(Aead aead, long n, byte[] plain, boolean directIn, boolean directOut) {
    ByteBuf in = buffer(directIn, plain.length).writeBytes(plain);
    ByteBuf out = buffer(directOut, 0);
    try {
      assertThat(aead.encrypt(n, in, plain.length, out)).isEqualTo(plain.length + 16);
      assertThat(in.isReadable()).isFalse();
      byte[] sealed = new byte[out.readableBytes()];
      out.readBytes(sealed);
      return sealed;
    } finally {
      in.release();
      out.release();
    }
  }

  private static byte[] open(Aead aead, long n, byte[] sealed, boolean directIn, boolean directOut)
      throws AEADBadTagException {
    ByteBuf in = buffer(directIn, sealed.length).writeBytes(sealed);
    ByteBuf out = buffer(directOut, 0);
    try {
      assertThat(aead.decrypt(n, in, sealed.length, out)).isEqualTo(sealed.length - 16);
      byte[] opened = new byte[out.readableBytes()];
      out.readBytes(opened);
      return opened;
    } finally {
      in.release();
      out.release();
    }
  }

  private static ByteBuf buffer(boolean direct, int capacity) {
    return direct ? Unpooled.directBuffer(capacity) : Unpooled.buffer(capacity);
  }
}
