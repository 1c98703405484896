package org.grapevine.libp2p.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.grapevine.libp2p.relay.RelayTestKeys.A;
import static org.grapevine.libp2p.relay.RelayTestKeys.B;
import static org.grapevine.libp2p.relay.RelayTestKeys.RELAY;
import static org.grapevine.libp2p.relay.RelayTestKeys.RELAY_KEY;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.encoding.Varint;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.proto.circuit.Peer;
import org.junit.jupiter.api.Test;

class RelayCodecTest {
  private static final Multiaddr ADDR =
      Multiaddr.of(new java.net.InetSocketAddress("11.0.0.1", 4001));

  @Test
  void encode_reserve_carriesTypeZeroOnTheWire() {
    // proto3 "optional": RESERVE (0) must still be sent, or go and js see no type.
    assertThat(RelayCodec.encode(HopMessage.reserve())).containsExactly(0x08, 0x00);
  }

  @Test
  void hop_everyKind_roundTrips() throws Exception {
    byte[] voucher = new ReservationVoucher(RELAY, A, 1_700_003_600L).seal(RELAY_KEY);
    HopMessage reserved =
        HopMessage.reserved(
            new RelayReservation(
                1_700_003_600L, List.of(ADDR.withPeerId(RELAY)), Optional.of(voucher)),
            new RelayLimit(120, 1 << 17));
    for (HopMessage m :
        List.of(
            HopMessage.reserve(),
            HopMessage.connect(new RelayPeer(A, List.of(ADDR))),
            HopMessage.status(RelayStatus.NO_RESERVATION),
            HopMessage.status(RelayStatus.OK, new RelayLimit(0, 4096)))) {
      assertThat(RelayCodec.decodeHop(RelayCodec.encode(m))).isEqualTo(m);
    }
    HopMessage back = RelayCodec.decodeHop(RelayCodec.encode(reserved));
    assertThat(back.limit()).contains(new RelayLimit(120, 1 << 17));
    assertThat(back.reservation().orElseThrow().addrs()).containsExactly(ADDR.withPeerId(RELAY));
    assertThat(back.reservation().orElseThrow().voucher().orElseThrow()).isEqualTo(voucher);
  }

  @Test
  void stop_everyKind_roundTrips() throws Exception {
    for (StopMessage m :
        List.of(
            StopMessage.connect(RelayPeer.of(B), new RelayLimit(60, 0)),
            StopMessage.connect(RelayPeer.of(B), RelayLimit.NONE),
            StopMessage.status(RelayStatus.OK))) {
      assertThat(RelayCodec.decodeStop(RelayCodec.encode(m))).isEqualTo(m);
    }
  }

  @Test
  void readBody_partialFrame_waitsWithoutConsuming() throws Exception {
    byte[] framed = RelayCodec.frame(RelayCodec.encode(HopMessage.connect(RelayPeer.of(A))));
    ByteBuf in = Unpooled.wrappedBuffer(framed, 0, framed.length - 1);
    try {
      assertThat(RelayCodec.readBody(in)).isEmpty();
      assertThat(in.readerIndex()).isZero();
      ByteBuf whole = Unpooled.wrappedBuffer(framed, framed, new byte[] {1, 2});
      assertThat(RelayCodec.readBody(whole)).isPresent();
      assertThat(RelayCodec.readBody(whole)).isPresent();
      assertThat(whole.readableBytes()).isEqualTo(2); // what follows belongs to the circuit
      whole.release();
    } finally {
      in.release();
    }
  }

  @Test
  void readBody_lengthOverCap_refusedFromThePrefix() {
    ByteBuf in = Unpooled.wrappedBuffer(Varint.encode(RelayCodec.MAX_MESSAGE_BYTES + 1));
    try {
      assertThatThrownBy(() -> RelayCodec.readBody(in))
          .isInstanceOfSatisfying(
              MalformedFrameException.class,
              e -> assertThat(e.code()).isEqualTo(FrameError.TOO_LARGE));
    } finally {
      in.release();
    }
  }

  @Test
  void decode_oversizeBody_tooLarge() {
    assertCode(() -> RelayCodec.decodeHop(new byte[4097]), FrameError.TOO_LARGE);
    assertCode(() -> RelayCodec.decodeStop(new byte[4097]), FrameError.TOO_LARGE);
  }

  @Test
  void decode_garbage_badEncoding() {
    assertCode(() -> RelayCodec.decodeHop(new byte[] {0x0a, 0x7f, 1}), FrameError.BAD_ENCODING);
  }

  @Test
  void decode_missingFields_missingField() {
    assertCode(() -> RelayCodec.decodeHop(new byte[0]), FrameError.MISSING_FIELD);
    assertCode(() -> RelayCodec.decodeHop(new byte[] {0x08, 0x01}), FrameError.MISSING_FIELD);
    assertCode(() -> RelayCodec.decodeHop(new byte[] {0x08, 0x02}), FrameError.MISSING_FIELD);
    assertCode(() -> RelayCodec.decodeStop(new byte[] {0x08, 0x00}), FrameError.MISSING_FIELD);
    assertCode(() -> RelayCodec.decodeStop(new byte[] {0x08, 0x01}), FrameError.MISSING_FIELD);
  }

  @Test
  void decode_unknownTypeOrStatus_unsupported() {
    assertCode(() -> RelayCodec.decodeHop(new byte[] {0x08, 0x07}), FrameError.UNSUPPORTED);
    assertCode(() -> RelayCodec.decodeStop(new byte[] {0x08, 0x05}), FrameError.UNSUPPORTED);
    // STATUS with status 0 (UNUSED) and 999.
    assertCode(
        () -> RelayCodec.decodeHop(new byte[] {0x08, 0x02, 0x28, 0x00}), FrameError.UNSUPPORTED);
    assertCode(
        () -> RelayCodec.decodeHop(new byte[] {0x08, 0x02, 0x28, (byte) 0xe7, 0x07}),
        FrameError.UNSUPPORTED);
  }

  @Test
  void decode_badPeerId_malformed_tooManyAddrs_tooLarge_unknownAddr_skipped() throws Exception {
    byte[] badPeer =
        org.grapevine.libp2p.proto.circuit.HopMessage.newBuilder()
            .setTypeValue(1)
            .setPeer(Peer.newBuilder().setId(ByteString.copyFrom(new byte[] {1, 2, 3})))
            .build()
            .toByteArray();
    assertThatThrownBy(() -> RelayCodec.decodeHop(badPeer))
        .isInstanceOf(MalformedFrameException.class);
    Peer.Builder many = Peer.newBuilder().setId(ByteString.copyFrom(A.toBytes()));
    for (int i = 0; i <= RelayCodec.MAX_ADDRS; i++) {
      many.addAddrs(ByteString.copyFrom(ADDR.encode()));
    }
    assertCode(
        () ->
            RelayCodec.decodeHop(
                org.grapevine.libp2p.proto.circuit.HopMessage.newBuilder()
                    .setTypeValue(1)
                    .setPeer(many)
                    .build()
                    .toByteArray()),
        FrameError.TOO_LARGE);
    byte[] oddAddr =
        org.grapevine.libp2p.proto.circuit.HopMessage.newBuilder()
            .setTypeValue(1)
            .setPeer(
                Peer.newBuilder()
                    .setId(ByteString.copyFrom(A.toBytes()))
                    .addAddrs(ByteString.copyFrom(new byte[] {(byte) 0xff, 0x7f}))
                    .addAddrs(ByteString.copyFrom(ADDR.encode())))
            .build()
            .toByteArray();
    assertThat(RelayCodec.decodeHop(oddAddr).peer().orElseThrow().addrs()).containsExactly(ADDR);
  }

  @Property(tries = 1000)
  void decode_randomBytes_failTypedOrDecode(@ForAll @Size(max = 300) byte[] bytes) {
    try {
      assertThat(RelayCodec.decodeHop(bytes).type()).isNotNull();
    } catch (MalformedFrameException expected) {
      assertThat(expected.code()).isNotNull();
    }
    try {
      assertThat(RelayCodec.decodeStop(bytes).type()).isNotNull();
    } catch (MalformedFrameException expected) {
      assertThat(expected.code()).isNotNull();
    }
    ByteBuf in = Unpooled.wrappedBuffer(bytes);
    try {
      RelayCodec.readBody(in);
    } catch (MalformedFrameException expected) {
      assertThat(expected.code()).isIn(FrameError.TOO_LARGE, FrameError.BAD_VARINT);
    } finally {
      in.release();
    }
  }

  private interface Decode {
    void run() throws MalformedFrameException;
  }

  private static void assertCode(Decode d, FrameError code) {
    assertThatThrownBy(d::run)
        .isInstanceOfSatisfying(
            MalformedFrameException.class, e -> assertThat(e.code()).isEqualTo(code));
  }
}
