package org.grapevine.libp2p.dcutr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.proto.HolePunch;
import org.junit.jupiter.api.Test;

class HolePunchCodecTest {
  @Test
  void connectAndSync_roundTrip() throws Exception {
    HolePunchMessage c =
        HolePunchMessage.connect(
            List.of(
                Multiaddr.parse("/ip4/11.0.0.2/tcp/4001"),
                Multiaddr.parse("/ip6/2001:db8::1/tcp/4001")));
    assertThat(HolePunchCodec.decode(HolePunchCodec.encode(c))).isEqualTo(c);
    assertThat(HolePunchCodec.decode(HolePunchCodec.encode(HolePunchMessage.sync())))
        .isEqualTo(HolePunchMessage.sync());
  }

  @Test
  void wireForm_isTheSpecsSchema_typeNumbers100And300() {
    assertThat(HolePunchCodec.encode(HolePunchMessage.sync())).containsExactly(0x08, 0xac, 0x02);
    assertThat(HolePunchCodec.encode(HolePunchMessage.connect(List.of())))
        .containsExactly(0x08, 0x64);
  }

  @Test
  void oversize_refusedBeforeParsing() {
    byte[] big = new byte[HolePunchCodec.MAX_MESSAGE_BYTES + 1];
    assertThatThrownBy(() -> HolePunchCodec.decode(big))
        .isInstanceOfSatisfying(
            MalformedFrameException.class,
            e -> assertThat(e.code()).isEqualTo(FrameError.TOO_LARGE));
  }

  @Test
  void noType_orAnUnknownType_refused() {
    byte[] none =
        HolePunch.newBuilder()
            .addObsAddrs(ByteString.copyFrom(new byte[] {4}))
            .build()
            .toByteArray();
    byte[] unknown = {0x08, 0x07};
    for (byte[] m : List.of(none, unknown)) {
      assertThatThrownBy(() -> HolePunchCodec.decode(m))
          .isInstanceOfSatisfying(
              MalformedFrameException.class,
              e -> assertThat(e.code()).isEqualTo(FrameError.MISSING_FIELD));
    }
  }

  @Test
  void unreadableAndSurplusAddresses_skippedAndCounted() throws Exception {
    HolePunch.Builder b = HolePunch.newBuilder().setType(HolePunch.Type.CONNECT);
    b.addObsAddrs(ByteString.copyFrom(new byte[] {(byte) 0xff, 0x7f, 1}));
    for (int i = 0; i < HolePunchCodec.MAX_ADDRS + 3; i++) {
      b.addObsAddrs(
          ByteString.copyFrom(Multiaddr.parse("/ip4/11.0.0." + (i + 1) + "/tcp/1").encode()));
    }
    HolePunchMessage m = HolePunchCodec.decode(b.build().toByteArray());
    assertThat(m.addrs()).hasSize(HolePunchCodec.MAX_ADDRS);
    assertThat(m.skippedAddrs()).isEqualTo(1 + 3);
  }

  @Property(tries = 2000)
  void anyBytes_decodeOrRefuseWithAFrameError(@ForAll @Size(max = 300) byte[] bytes) {
    try {
      HolePunchMessage m = HolePunchCodec.decode(bytes);
      assertThat(m.addrs().size()).isLessThanOrEqualTo(HolePunchCodec.MAX_ADDRS);
    } catch (MalformedFrameException e) {
      assertThat(e.code()).isNotNull();
    }
  }
}
