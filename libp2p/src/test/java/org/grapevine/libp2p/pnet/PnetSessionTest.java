package org.grapevine.libp2p.pnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pnet core byte by byte, in virtual time: two sessions wired by hand, no channels. */
class PnetSessionTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
  private static final SwarmKey KEY =
      SwarmKey.of(HEX.parseHex("6189c5cf0b87fb800c1a9feeda73c6ab5e998db48fb9e6a978575c770ceef683"));
  private static final SwarmKey OTHER_KEY = SwarmKey.of(new byte[32]);
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** Virtual time near the end of the long range: deadlines must survive the wrap. */
  private static final long T0 = Long.MAX_VALUE - 1_000_000_000L;

  private final List<ByteBuf> inputs = new ArrayList<>();

  @AfterEach
  void everyInputReleased() {
    assertThat(inputs).allSatisfy(b -> assertThat(b.refCnt()).isZero());
  }

  private ByteBuf buf(byte[] bytes) {
    ByteBuf b = Unpooled.wrappedBuffer(bytes);
    inputs.add(b);
    return b;
  }

  private byte[] encrypt(PnetSession s, byte[] plain) {
    return drain(s.encrypt(buf(plain), ALLOC));
  }

  /** Decrypts {@code wire}; an empty array when the session returned nothing. */
  private byte[] decrypt(PnetSession s, byte[] wire, long now) throws PnetException {
    ByteBuf plain = s.decrypt(buf(wire), ALLOC, now);
    return plain == null ? new byte[0] : drain(plain);
  }

  private static byte[] drain(ByteBuf b) {
    byte[] out = ByteBufUtil.getBytes(b);
    b.release();
    return out;
  }

  private static byte[] keystream(SwarmKey key, byte[] nonce, int n) {
    XSalsa20Engine engine = new XSalsa20Engine();
    engine.init(true, new ParametersWithIV(new KeyParameter(key.psk()), nonce));
    byte[] out = new byte[n];
    engine.processBytes(new byte[n], 0, n, out, 0);
    return out;
  }

  @Test
  void nonce_isTheInjectedRandomnessOnce_andCiphertextIsPlainXorXsalsa20OfIt() {
    byte[] expectedNonce = new byte[24];
    new Random(7).nextBytes(expectedNonce);
    PnetSession s = new PnetSession(KEY, new Random(7), TIMEOUT, T0);
    byte[] nonce = s.pollNonce().orElseThrow();
    assertThat(nonce).isEqualTo(expectedNonce);
    assertThat(s.pollNonce()).isEmpty();
    // Zeros encrypt to the keystream itself, from counter 0 and continuing across writes.
    byte[] ks = keystream(KEY, nonce, 10);
    assertThat(encrypt(s, new byte[4])).isEqualTo(java.util.Arrays.copyOfRange(ks, 0, 4));
    assertThat(encrypt(s, new byte[6])).isEqualTo(java.util.Arrays.copyOfRange(ks, 4, 10));
  }

  @Test
  void encrypt_beforeTheNonceWasPolled_refusedAndReleased() {
    PnetSession s = new PnetSession(KEY, new Random(1), TIMEOUT, T0);
    ByteBuf plain = buf(new byte[] {1, 2});
    assertThatThrownBy(() -> s.encrypt(plain, ALLOC)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void twoSessions_samePsk_bothWays_continuousKeystreams() throws PnetException {
    PnetSession a = new PnetSession(KEY, new Random(1), TIMEOUT, T0);
    PnetSession b = new PnetSession(KEY, new Random(2), TIMEOUT, T0);
    byte[] aNonce = a.pollNonce().orElseThrow();
    byte[] bNonce = b.pollNonce().orElseThrow();
    assertThat(aNonce).isNotEqualTo(bNonce);
    byte[] aWire = encrypt(a, HEX.parseHex("0102030405"));
    assertThat(aWire).isNotEqualTo(HEX.parseHex("0102030405"));
    byte[] bWire = encrypt(b, HEX.parseHex("aabbcc"));
    assertThat(decrypt(b, concat(aNonce, aWire), T0)).isEqualTo(HEX.parseHex("0102030405"));
    assertThat(decrypt(a, concat(bNonce, bWire), T0)).isEqualTo(HEX.parseHex("aabbcc"));
    assertThat(decrypt(b, encrypt(a, HEX.parseHex("ffee")), T0 + 1))
        .isEqualTo(HEX.parseHex("ffee"));
    assertThat(decrypt(a, encrypt(b, HEX.parseHex("00")), T0 + 1)).isEqualTo(HEX.parseHex("00"));
  }

  @Test
  void nonceOneByteAtATime_nothingComesOutUntilItIsWhole_thenTheTimeoutIsGone()
      throws PnetException {
    PnetSession a = new PnetSession(KEY, new Random(1), TIMEOUT, T0);
    PnetSession b = new PnetSession(KEY, new Random(2), TIMEOUT, T0);
    byte[] nonce = a.pollNonce().orElseThrow();
    b.pollNonce();
    for (int i = 0; i < 23; i++) {
      assertThat(decrypt(b, new byte[] {nonce[i]}, T0 + i)).isEmpty();
      assertThat(b.hasRemoteNonce()).isFalse();
      assertThat(b.pollTimeout()).isPresent();
    }
    byte[] last =
        concat(
            new byte[] {nonce[23]},
            encrypt(a, "hi".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(decrypt(b, last, T0 + 23))
        .isEqualTo("hi".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(b.hasRemoteNonce()).isTrue();
    assertThat(b.pollTimeout()).isEmpty();
  }

  @Property(tries = 300)
  void anySplitOfTheWire_decryptsToTheSameBytes(
      @ForAll @Size(max = 200) byte[] payload,
      @ForAll @Size(max = 8) List<@IntRange(min = 0, max = 230) Integer> cuts)
      throws PnetException {
    PnetSession a = new PnetSession(KEY, new Random(3), TIMEOUT, T0);
    PnetSession b = new PnetSession(KEY, new Random(4), TIMEOUT, T0);
    byte[] wire =
        concat(
            a.pollNonce().orElseThrow(), payload.length == 0 ? new byte[0] : encrypt(a, payload));
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    int from = 0;
    for (int cut : cuts.stream().sorted().toList()) {
      int to = Math.min(cut, wire.length);
      received.writeBytes(
          decrypt(b, java.util.Arrays.copyOfRange(wire, from, Math.max(from, to)), T0));
      from = Math.max(from, to);
    }
    received.writeBytes(decrypt(b, java.util.Arrays.copyOfRange(wire, from, wire.length), T0));
    assertThat(received.toByteArray()).isEqualTo(payload);
  }

  @Test
  void differentPsk_garbageOfTheSameLength_noException() throws PnetException {
    PnetSession a = new PnetSession(KEY, new Random(1), TIMEOUT, T0);
    PnetSession b = new PnetSession(OTHER_KEY, new Random(2), TIMEOUT, T0);
    byte[] plain = "\u0013/multistream/1.0.0\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] received = decrypt(b, concat(a.pollNonce().orElseThrow(), encrypt(a, plain)), T0);
    assertThat(received).hasSameSizeAs(plain).isNotEqualTo(plain);
    assertThat(b.hasRemoteNonce()).isTrue();
  }

  @Test
  void timeout_earlyWakeUpIsANoOp_atTheDeadlineTheCodedErrorAndThenInputIsRefused()
      throws PnetException {
    PnetSession s = new PnetSession(KEY, new Random(1), TIMEOUT, T0);
    s.pollNonce();
    assertThat(decrypt(s, new byte[5], T0 + 1)).isEmpty();
    long deadline = s.pollTimeout().orElseThrow();
    assertThat(deadline).isEqualTo(T0 + TIMEOUT.toNanos());
    s.handleTimeout(deadline - 1);
    assertThat(s.pollTimeout()).hasValue(deadline);
    assertThatThrownBy(() -> s.handleTimeout(deadline))
        .isInstanceOfSatisfying(
            PnetException.class, e -> assertThat(e.code()).isEqualTo(PnetErrorCode.NONCE_TIMEOUT))
        .hasMessageContaining("5 of 24 bytes");
    assertThat(s.pollTimeout()).isEmpty();
    ByteBuf late = buf(new byte[19]);
    assertThatThrownBy(() -> s.decrypt(late, ALLOC, deadline + 1))
        .isInstanceOf(PnetException.class);
  }

  @Test
  void timeout_nonceCompletingAfterTheDeadline_isRefused() {
    PnetSession s = new PnetSession(KEY, new Random(1), TIMEOUT, T0);
    ByteBuf late = buf(new byte[24]);
    assertThatThrownBy(() -> s.decrypt(late, ALLOC, T0 + TIMEOUT.toNanos()))
        .isInstanceOfSatisfying(
            PnetException.class, e -> assertThat(e.code()).isEqualTo(PnetErrorCode.NONCE_TIMEOUT));
    assertThat(s.hasRemoteNonce()).isFalse();
  }

  @Test
  void timeout_afterTheNonce_neverFires() throws PnetException {
    PnetSession s = new PnetSession(KEY, new Random(1), TIMEOUT, T0);
    decrypt(s, new byte[24], T0);
    s.handleTimeout(T0 + 10 * TIMEOUT.toNanos());
    assertThat(decrypt(s, new byte[3], T0 + 10 * TIMEOUT.toNanos())).hasSize(3);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
