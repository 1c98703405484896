package org.grapevine.libp2p.noise.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.grapevine.libp2p.noise.crypto.Rfc8439Vectors.KEY_1C92;
import static org.grapevine.libp2p.noise.crypto.Rfc8439Vectors.KEY_80;
import static org.grapevine.libp2p.noise.crypto.Rfc8439Vectors.SUNSCREEN;
import static org.grapevine.libp2p.noise.crypto.Rfc8439Vectors.hex;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.api.Test;

/** The AEAD against RFC 8439 sections 2.8.2 and A.5, plus buffer handling and failure behaviour. */
class ChaCha20Poly1305Test {
  private static final byte[] NONCE_282 = hex("070000004041424344454647");
  private static final byte[] AD_282 = hex("50515253c0c1c2c3c4c5c6c7");
  private static final String CIPHERTEXT_282 =
      "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
          + "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
          + "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
          + "3ff4def08e4b7a9de576d26586cec64b6116";
  private static final String TAG_282 = "1ae10b594f09e26a7e902ecbd0600691";

  private static final byte[] NONCE_A5 = hex("000000000102030405060708");
  private static final byte[] AD_A5 = hex("f33388860000000000004e91");
  private static final String CIPHERTEXT_A5 =
      "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb2"
          + "4c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf"
          + "332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855"
          + "9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4"
          + "b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523e"
          + "af4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a"
          + "0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a10"
          + "49e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29"
          + "a6ad5cb4022b02709b";
  private static final String TAG_A5 = "eead9d67890cbb22392336fea1851f38";
  private static final byte[] PLAINTEXT_A5 =
      ("Internet-Drafts are draft documents valid for a maximum of six months and may be"
              + " updated, replaced, or obsoleted by other documents at any time. It is inappropriate to use Internet-Drafts as"
              + " reference material or to cite them other than as /\u201cwork in progress./\u201d")
          .getBytes(StandardCharsets.UTF_8);

  @Test
  void encrypt_section282_matchesCiphertextAndTag() {
    byte[] out = new byte[SUNSCREEN.length + 16];
    int n =
        new ChaCha20Poly1305(KEY_80)
            .encrypt(NONCE_282, AD_282, SUNSCREEN, 0, SUNSCREEN.length, out, 0);
    assertThat(n).isEqualTo(130);
    assertThat(hex(out)).isEqualTo(CIPHERTEXT_282 + TAG_282);
  }

  @Test
  void decrypt_section282_restoresSunscreen() throws Exception {
    byte[] sealed = hex(CIPHERTEXT_282 + TAG_282);
    byte[] out = new byte[sealed.length - 16];
    int n =
        new ChaCha20Poly1305(KEY_80).decrypt(NONCE_282, AD_282, sealed, 0, sealed.length, out, 0);
    assertThat(n).isEqualTo(114);
    assertThat(out).isEqualTo(SUNSCREEN);
  }

  @Test
  void decrypt_appendixA5_restoresInternetDraftsText() throws Exception {
    assertThat(PLAINTEXT_A5).hasSize(265);
    byte[] sealed = hex(CIPHERTEXT_A5 + TAG_A5);
    byte[] out = new byte[265];
    new ChaCha20Poly1305(KEY_1C92).decrypt(NONCE_A5, AD_A5, sealed, 0, sealed.length, out, 0);
    assertThat(out).isEqualTo(PLAINTEXT_A5);
  }

  @Test
  void encrypt_appendixA5Plaintext_reproducesReceivedCiphertextAndTag() {
    byte[] out = new byte[265 + 16];
    new ChaCha20Poly1305(KEY_1C92).encrypt(NONCE_A5, AD_A5, PLAINTEXT_A5, 0, 265, out, 0);
    assertThat(hex(out)).isEqualTo(CIPHERTEXT_A5 + TAG_A5);
  }

  @Test
  void decrypt_appendixA5WithEveryTagByteChanged_throwsAndWritesNothing() {
    ChaCha20Poly1305 aead = new ChaCha20Poly1305(KEY_1C92);
    for (int i = 0; i < 16; i++) {
      byte[] sealed = hex(CIPHERTEXT_A5 + TAG_A5);
      sealed[265 + i] ^= (byte) 0x80;
      byte[] out = new byte[265];
      Arrays.fill(out, (byte) 0x5a);
      assertThatThrownBy(() -> aead.decrypt(NONCE_A5, AD_A5, sealed, 0, sealed.length, out, 0))
          .isInstanceOf(AEADBadTagException.class);
      assertThat(out).containsOnly((byte) 0x5a);
    }
  }

  @Test
  void decrypt_shorterThanTag_throwsBadTag() {
    ChaCha20Poly1305 aead = new ChaCha20Poly1305(KEY_80);
    assertThatThrownBy(() -> aead.decrypt(NONCE_282, null, new byte[15], 0, 15, new byte[0], 0))
        .isInstanceOf(AEADBadTagException.class);
    assertThatThrownBy(
            () -> aead.decrypt(1, Unpooled.wrappedBuffer(new byte[15]), 15, Unpooled.buffer()))
        .isInstanceOf(AEADBadTagException.class);
  }

  @Test
  void decrypt_afterFailure_instanceStillWorks() throws Exception {
    ChaCha20Poly1305 aead = new ChaCha20Poly1305(KEY_80);
    byte[] bad = hex(CIPHERTEXT_282 + TAG_282);
    bad[0] ^= 1;
    assertThatThrownBy(() -> aead.decrypt(NONCE_282, AD_282, bad, 0, bad.length, new byte[114], 0))
        .isInstanceOf(AEADBadTagException.class);
    byte[] good = hex(CIPHERTEXT_282 + TAG_282);
    byte[] out = new byte[114];
    aead.decrypt(NONCE_282, AD_282, good, 0, good.length, out, 0);
    assertThat(out).isEqualTo(SUNSCREEN);
  }

  @Test
  void encrypt_emptyPlaintextAndNullAd_isTagOnlyAndRoundTrips() throws Exception {
    ChaCha20Poly1305 aead = new ChaCha20Poly1305(KEY_80);
    byte[] sealed = new byte[16];
    assertThat(aead.encrypt(NONCE_282, null, new byte[0], 0, 0, sealed, 0)).isEqualTo(16);
    byte[] withEmptyAd = new byte[16];
    aead.encrypt(NONCE_282, new byte[0], new byte[0], 0, 0, withEmptyAd, 0);
    assertThat(sealed).isEqualTo(withEmptyAd);
    assertThat(aead.decrypt(NONCE_282, null, sealed, 0, 16, new byte[0], 0)).isZero();
  }

  @Test
  void encrypt_inPlaceSameOffset_equalsSeparateBuffers() throws Exception {
    ChaCha20Poly1305 aead = new ChaCha20Poly1305(KEY_80);
    for (int len : new int[] {0, 1, 15, 16, 17, 63, 64, 65, 1000, 4097}) {
      byte[] plain = pattern(len, 3);
      byte[] expected = new byte[len + 16];
      aead.encrypt(NONCE_282, AD_282, plain, 0, len, expected, 0);
      byte[] buf = new byte[7 + len + 16];
      System.arraycopy(plain, 0, buf, 7, len);
      aead.encrypt(NONCE_282, AD_282, buf, 7, len, buf, 7);
      assertThat(Arrays.copyOfRange(buf, 7, 7 + len + 16)).isEqualTo(expected);
      aead.decrypt(NONCE_282, AD_282, buf, 7, len + 16, buf, 7);
      assertThat(Arrays.copyOfRange(buf, 7, 7 + len)).isEqualTo(plain);
    }
  }

  @Test
  void encryptAndDecrypt_overlappingShiftedBuffers_equalSeparateBuffers() throws Exception {
    ChaCha20Poly1305 aead = new ChaCha20Poly1305(KEY_80);
    int len = 300;
    byte[] plain = pattern(len, 11);
    byte[] expected = new byte[len + 16];
    aead.encrypt(NONCE_282, AD_282, plain, 0, len, expected, 0);
    for (int shift : new int[] {-40, -9, -1, 1, 5, 64, 299}) {
      int inOff = 50;
      byte[] buf = new byte[inOff + shift + len + 16 + 50];
      System.arraycopy(plain, 0, buf, inOff, len);
      aead.encrypt(NONCE_282, AD_282, buf, inOff, len, buf, inOff + shift);
      assertThat(Arrays.copyOfRange(buf, inOff + shift, inOff + shift + len + 16))
          .as("encrypt shift %d", shift)
          .isEqualTo(expected);
      byte[] back = new byte[buf.length + 100];
      System.arraycopy(expected, 0, back, inOff, len + 16);
      aead.decrypt(NONCE_282, AD_282, back, inOff, len + 16, back, inOff + shift);
      assertThat(Arrays.copyOfRange(back, inOff + shift, inOff + shift + len))
          .as("decrypt shift %d", shift)
          .isEqualTo(plain);
    }
  }

  @Test
  void encrypt_longCounter_usesNoiseNonceLayout() throws Exception {
    ChaCha20Poly1305 aead = new ChaCha20Poly1305(KEY_80);
    long n = 0x0102030405060708L;
    byte[] nonce = hex("000000000807060504030201");
    byte[] viaCounter = new byte[SUNSCREEN.length + 16];
    byte[] viaBytes = new byte[SUNSCREEN.length + 16];
    aead.encrypt(n, AD_282, SUNSCREEN, 0, SUNSCREEN.length, viaCounter, 0);
    aead.encrypt(nonce, AD_282, SUNSCREEN, 0, SUNSCREEN.length, viaBytes, 0);
    assertThat(viaCounter).isEqualTo(viaBytes);
    byte[] out = new byte[SUNSCREEN.length];
    aead.decrypt(n, AD_282, viaBytes, 0, viaBytes.length, out, 0);
    assertThat(out).isEqualTo(SUNSCREEN);
  }

  @Test
  void byteBufs_heapAndDirectWithOffsets_matchArrayApiAndAdvanceIndices() throws Exception {
    ChaCha20Poly1305 aead = new ChaCha20Poly1305(KEY_1C92);
    long counter = 0xfedcba9876543210L;
    for (int len : new int[] {0, 1, 16, 63, 64, 65, 4095, 4096, 4097, 8192 + 17, 65519, 65535}) {
      byte[] plain = pattern(len, len);
      byte[] expected = new byte[len + 16];
      aead.encrypt(counter, null, plain, 0, len, expected, 0);
      for (Kind inKind : Kind.values()) {
        for (Kind outKind : Kind.values()) {
          String label = len + " " + inKind + " -> " + outKind;
          ByteBuf in = inKind.withPrefix(plain, 5);
          ByteBuf sealed = outKind.empty(3);
          assertThat(aead.encrypt(counter, in, len, sealed)).isEqualTo(len + 16);
          assertThat(in.readableBytes()).as(label).isZero();
          assertThat(bytes(sealed)).as(label).isEqualTo(expected);

          ByteBuf cipherIn = outKind.withPrefix(expected, 9);
          ByteBuf opened = inKind.empty(1);
          assertThat(aead.decrypt(counter, cipherIn, len + 16, opened)).isEqualTo(len);
          assertThat(cipherIn.readableBytes()).as(label).isZero();
          assertThat(bytes(opened)).as(label).isEqualTo(plain);
          for (ByteBuf b : new ByteBuf[] {in, sealed, cipherIn, opened}) {
            b.release();
          }
        }
      }
    }
  }

  @Test
  void byteBufDecrypt_badTag_throwsAndMovesNoIndexAndWritesNothing() {
    ChaCha20Poly1305 aead = new ChaCha20Poly1305(KEY_1C92);
    byte[] sealed = new byte[5000 + 16];
    aead.encrypt(7, null, new byte[5000], 0, 5000, sealed, 0);
    sealed[4999] ^= 0x10;
    for (Kind kind : Kind.values()) {
      ByteBuf in = kind.withPrefix(sealed, 2);
      ByteBuf out = kind.empty(4);
      byte[] marker = new byte[5000];
      Arrays.fill(marker, (byte) 0x5a);
      out.ensureWritable(marker.length);
      out.setBytes(out.writerIndex(), marker);
      int readerBefore = in.readerIndex();
      assertThatThrownBy(() -> aead.decrypt(7, in, sealed.length, out))
          .isInstanceOf(AEADBadTagException.class);
      assertThat(in.readerIndex()).isEqualTo(readerBefore);
      assertThat(out.readableBytes()).isZero();
      byte[] afterwards = new byte[marker.length];
      out.getBytes(out.writerIndex(), afterwards);
      assertThat(afterwards).as(kind.name()).isEqualTo(marker);
      in.release();
      out.release();
    }
  }

  @Test
  void byteBufEncrypt_lenBeyondReadable_throwsIndexOutOfBounds() {
    ChaCha20Poly1305 aead = new ChaCha20Poly1305(KEY_1C92);
    ByteBuf in = Unpooled.wrappedBuffer(new byte[10]);
    assertThatThrownBy(() -> aead.encrypt(0, in, 11, Unpooled.buffer()))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void constructor_wrongKeyLength_throws() {
    assertThatThrownBy(() -> new ChaCha20Poly1305(new byte[31]))
        .isInstanceOf(IllegalArgumentException.class);
    ChaCha20Poly1305 aead = new ChaCha20Poly1305(KEY_80);
    assertThatThrownBy(() -> aead.encrypt(new byte[8], null, new byte[1], 0, 1, new byte[17], 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void encrypt_outputTooSmall_throwsBeforeWriting() {
    ChaCha20Poly1305 aead = new ChaCha20Poly1305(KEY_80);
    byte[] out = new byte[20];
    assertThatThrownBy(() -> aead.encrypt(NONCE_282, null, new byte[5], 0, 5, out, 0))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(out).containsOnly((byte) 0);
  }

  /** Heap buffers (array path), direct buffers and composites (chunked copy path). */
  private enum Kind {
    HEAP,
    DIRECT,
    COMPOSITE;

    /** A buffer holding {@code prefix} junk bytes (already read) and then {@code data}. */
    ByteBuf withPrefix(byte[] data, int prefix) {
      ByteBuf b;
      if (this == COMPOSITE) {
        int half = data.length / 2;
        ByteBuf first = Unpooled.buffer().writeZero(prefix).writeBytes(data, 0, half);
        ByteBuf second = Unpooled.directBuffer().writeBytes(data, half, data.length - half);
        b = Unpooled.compositeBuffer().addComponents(true, first, second);
      } else {
        b = empty(0).writeZero(prefix).writeBytes(data);
      }
      return b.skipBytes(prefix);
    }

    /**
     * An empty buffer whose writer index is {@code offset}, with small initial capacity to force
     * growth.
     */
    ByteBuf empty(int offset) {
      ByteBuf b =
          switch (this) {
            case HEAP -> Unpooled.buffer(8);
            case DIRECT -> Unpooled.directBuffer(8);
            case COMPOSITE -> Unpooled.compositeBuffer().addComponent(true, Unpooled.buffer(8));
          };
      return b.writeZero(offset).skipBytes(offset);
    }
  }

  private static byte[] bytes(ByteBuf b) {
    byte[] out = new byte[b.readableBytes()];
    b.getBytes(b.readerIndex(), out);
    return out;
  }

  private static byte[] pattern(int len, int seed) {
    byte[] b = new byte[len];
    for (int i = 0; i < len; i++) {
      b[i] = (byte) (i * 31 + seed * 7 + (i >>> 8));
    }
    return b;
  }
}
