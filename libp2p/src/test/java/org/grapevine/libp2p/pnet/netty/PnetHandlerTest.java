package org.grapevine.libp2p.pnet.netty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.grapevine.libp2p.pnet.SwarmKey;
import org.junit.jupiter.api.Test;

class PnetHandlerTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final SwarmKey KEY =
      SwarmKey.of(HEX.parseHex("6189c5cf0b87fb800c1a9feeda73c6ab5e998db48fb9e6a978575c770ceef683"));
  private static final SwarmKey OTHER_KEY = SwarmKey.of(new byte[32]);
  private final List<ByteBuf> created = new ArrayList<>();

  private ByteBuf bytes(String hex) {
    ByteBuf buf = Unpooled.wrappedBuffer(HEX.parseHex(hex));
    created.add(buf);
    return buf;
  }

  private static String drainOutbound(EmbeddedChannel ch) {
    StringBuilder sb = new StringBuilder();
    for (ByteBuf buf; (buf = ch.readOutbound()) != null; ) {
      sb.append(ByteBufUtil.hexDump(buf));
      buf.release();
    }
    return sb.toString();
  }

  private static String drainInbound(EmbeddedChannel ch) {
    StringBuilder sb = new StringBuilder();
    for (ByteBuf buf; (buf = ch.readInbound()) != null; ) {
      sb.append(ByteBufUtil.hexDump(buf));
      buf.release();
    }
    return sb.toString();
  }

  /**
   * Moves whatever {@code from} wrote into {@code to}, split at {@code cut} to test partial reads.
   */
  private void deliver(EmbeddedChannel from, EmbeddedChannel to, int cut) {
    String wire = drainOutbound(from);
    int at = Math.min(cut * 2, wire.length());
    if (at > 0) {
      to.writeInbound(bytes(wire.substring(0, at)));
    }
    if (at < wire.length()) {
      to.writeInbound(bytes(wire.substring(at)));
    }
  }

  @Test
  void xsalsa20_naclStreamVector_matchesBouncyCastle() {
    // NaCl tests/stream3 (also libsodium): crypto_stream_xsalsa20 first 32 bytes.
    XSalsa20Engine engine = new XSalsa20Engine();
    engine.init(
        true,
        new ParametersWithIV(
            new KeyParameter(
                HEX.parseHex("1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389")),
            HEX.parseHex("69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37")));
    byte[] out = new byte[32];
    engine.processBytes(new byte[32], 0, 32, out, 0);
    assertThat(HEX.formatHex(out))
        .isEqualTo("eea6a7251c1e72916d11c2cb214d3c252539121d8e234e652d651fa4c8cff880");
  }

  @Test
  void channelActive_writesTheNonceFirst_thenCiphertextUnderIt() {
    byte[] nonce = new byte[24];
    new Random(7).nextBytes(nonce);
    EmbeddedChannel ch = new EmbeddedChannel(new PnetHandler(KEY, new Random(7)));
    ch.writeOutbound(bytes("00000000000000000000"));
    String wire = drainOutbound(ch);
    assertThat(wire).startsWith(HEX.formatHex(nonce));
    // Encrypting zeros yields the keystream itself: XSalsa20(PSK, our nonce) from counter 0.
    XSalsa20Engine engine = new XSalsa20Engine();
    engine.init(true, new ParametersWithIV(new KeyParameter(KEY.psk()), nonce));
    byte[] keystream = new byte[10];
    engine.processBytes(new byte[10], 0, 10, keystream, 0);
    assertThat(wire.substring(48)).isEqualTo(HEX.formatHex(keystream));
    assertThat(ch.finish()).isFalse();
    assertThat(created).allSatisfy(b -> assertThat(b.refCnt()).isZero());
  }

  @Test
  void samePsk_bytesPassBothWaysIntact_acrossSplitsAndContinuousKeystream() {
    EmbeddedChannel a = new EmbeddedChannel(new PnetHandler(KEY, new Random(1)));
    EmbeddedChannel b = new EmbeddedChannel(new PnetHandler(KEY, new Random(2)));
    a.writeOutbound(bytes("0102030405"));
    a.writeOutbound(bytes("060708"));
    b.writeOutbound(bytes("aabbcc"));
    // Nonce split across reads (10 + rest), payload in the same read as the nonce's tail.
    String aWire = peekOutbound(a);
    assertThat(aWire.substring(48)).isNotEqualTo("0102030405060708");
    deliver(a, b, 10);
    deliver(b, a, 23);
    assertThat(drainInbound(b)).isEqualTo("0102030405060708");
    assertThat(drainInbound(a)).isEqualTo("aabbcc");
    // Later traffic continues each keystream.
    a.writeOutbound(bytes("ffee"));
    deliver(a, b, 1);
    assertThat(drainInbound(b)).isEqualTo("ffee");
    assertThat(a.finish()).isFalse();
    assertThat(b.finish()).isFalse();
    assertThat(created).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
  }

  /** Reads all outbound bytes and puts them back as one buffer, to look without consuming. */
  private String peekOutbound(EmbeddedChannel ch) {
    String wire = drainOutbound(ch);
    ByteBuf again = bytes(wire);
    ch.outboundMessages().add(again.retain());
    again.release();
    return wire;
  }

  @Test
  void differentPsk_bytesArriveScrambled() {
    EmbeddedChannel a = new EmbeddedChannel(new PnetHandler(KEY, new Random(1)));
    EmbeddedChannel b = new EmbeddedChannel(new PnetHandler(OTHER_KEY, new Random(2)));
    String plain = "13" + HEX.formatHex("/multistream/1.0.0\n".getBytes(UTF_8));
    a.writeOutbound(bytes(plain));
    deliver(a, b, 24);
    String received = drainInbound(b);
    assertThat(received).hasSameSizeAs(plain).isNotEqualTo(plain);
    drainOutbound(b); // b's nonce, which a never reads here
    assertThat(a.finish()).isFalse();
    assertThat(b.finish()).isFalse();
    assertThat(created).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
  }

  @Test
  void readOnlySharedBuffer_isNotEncryptedInPlace() {
    EmbeddedChannel a = new EmbeddedChannel(new PnetHandler(KEY, new Random(1)));
    ByteBuf shared = bytes("01020304");
    a.writeOutbound(shared.retainedDuplicate().asReadOnly());
    assertThat(ByteBufUtil.hexDump(shared)).isEqualTo("01020304");
    shared.release();
    drainOutbound(a);
    assertThat(a.finish()).isFalse();
  }

  @Test
  void missingPeerNonce_closesAfterTheTimeout() {
    EmbeddedChannel a =
        new EmbeddedChannel(new PnetHandler(KEY, new Random(1), Duration.ofSeconds(5)));
    drainOutbound(a);
    a.writeInbound(bytes("0102030405")); // 5 of 24 nonce bytes
    a.advanceTimeBy(4, TimeUnit.SECONDS);
    a.runScheduledPendingTasks();
    assertThat(a.isOpen()).isTrue();
    a.advanceTimeBy(2, TimeUnit.SECONDS);
    a.runScheduledPendingTasks();
    assertThat(a.isOpen()).isFalse();
    assertThat(a.finish()).isFalse();
    assertThat(created).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
  }

  @Test
  void nonceInTime_timerCancelled() {
    EmbeddedChannel a =
        new EmbeddedChannel(new PnetHandler(KEY, new Random(1), Duration.ofSeconds(1)));
    drainOutbound(a);
    a.writeInbound(bytes("00".repeat(24)));
    a.advanceTimeBy(5, TimeUnit.SECONDS);
    a.runScheduledPendingTasks();
    assertThat(a.isOpen()).isTrue();
    assertThat(a.finish()).isFalse();
  }
}
