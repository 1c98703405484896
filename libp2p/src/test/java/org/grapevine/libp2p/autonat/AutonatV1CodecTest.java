package org.grapevine.libp2p.autonat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.grapevine.libp2p.autonat.AutonatTestPeers.addr;
import static org.grapevine.libp2p.autonat.AutonatTestPeers.peer;

import java.util.Collections;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.autonat.AutonatV1Codec.Dial;
import org.grapevine.libp2p.autonat.AutonatV1Codec.Response;
import org.grapevine.libp2p.autonat.AutonatV1Codec.Status;
import org.junit.jupiter.api.Test;

class AutonatV1CodecTest {
  @Test
  void encodeDial_roundTrips() throws Exception {
    byte[] a = addr("/ip4/11.1.1.1/tcp/4001").encode();
    Dial back =
        AutonatV1Codec.decodeDial(
            AutonatV1Codec.encodeDial(new Dial(Optional.of(peer(1)), List.of(a))));
    assertThat(back.peer()).contains(peer(1));
    assertThat(back.addrs()).singleElement().isEqualTo(a);
  }

  @Test
  void encodeResponse_roundTrips() throws Exception {
    byte[] a = addr("/ip4/11.1.1.1/tcp/4001").encode();
    Response r =
        AutonatV1Codec.decodeResponse(
            AutonatV1Codec.encodeResponse(new Response(Status.OK, "", Optional.of(a))));
    assertThat(r.status()).isEqualTo(Status.OK);
    assertThat(r.addr()).hasValueSatisfying(x -> assertThat(x).isEqualTo(a));
    assertThat(
            AutonatV1Codec.decodeResponse(
                    AutonatV1Codec.encodeResponse(
                        new Response(Status.E_DIAL_REFUSED, "no", Optional.empty())))
                .status())
        .isEqualTo(Status.E_DIAL_REFUSED);
  }

  @Test
  void decodeDial_responseOrNoPeerInfo_missingField() {
    byte[] response = AutonatV1Codec.encodeResponse(new Response(Status.OK, "", Optional.empty()));
    assertThatThrownBy(() -> AutonatV1Codec.decodeDial(response))
        .isInstanceOfSatisfying(
            MalformedFrameException.class,
            e -> assertThat(e.code()).isEqualTo(FrameError.MISSING_FIELD));
    assertThatThrownBy(() -> AutonatV1Codec.decodeDial(new byte[0]))
        .isInstanceOfSatisfying(
            MalformedFrameException.class,
            e -> assertThat(e.code()).isEqualTo(FrameError.MISSING_FIELD));
  }

  @Test
  void decodeDial_oversizeOrTooManyAddrs_tooLarge() {
    assertThatThrownBy(
            () -> AutonatV1Codec.decodeDial(new byte[AutonatV1Codec.MAX_MESSAGE_BYTES + 1]))
        .isInstanceOfSatisfying(
            MalformedFrameException.class,
            e -> assertThat(e.code()).isEqualTo(FrameError.TOO_LARGE));
    byte[] many =
        AutonatV1Codec.encodeDial(
            new Dial(
                Optional.empty(),
                Collections.nCopies(AutonatV1Codec.MAX_ADDRS + 1, new byte[] {4})));
    assertThatThrownBy(() -> AutonatV1Codec.decodeDial(many))
        .isInstanceOfSatisfying(
            MalformedFrameException.class,
            e -> assertThat(e.code()).isEqualTo(FrameError.TOO_LARGE));
  }

  @Test
  void decodeDial_badPeerId_malformed() {
    byte[] body =
        org.grapevine.libp2p.proto.autonat.v1.Message.newBuilder()
            .setType(org.grapevine.libp2p.proto.autonat.v1.Message.MessageType.DIAL)
            .setDial(
                org.grapevine.libp2p.proto.autonat.v1.Message.Dial.newBuilder()
                    .setPeer(
                        org.grapevine.libp2p.proto.autonat.v1.Message.PeerInfo.newBuilder()
                            .setId(com.google.protobuf.ByteString.copyFrom(new byte[] {1, 2, 3}))))
            .build()
            .toByteArray();
    assertThatThrownBy(() -> AutonatV1Codec.decodeDial(body))
        .isInstanceOf(MalformedFrameException.class);
  }

  @Property(tries = 1000)
  void decode_anyBytes_resultOrTypedError(@ForAll @Size(max = 400) byte[] bytes) {
    try {
      AutonatV1Codec.decodeDial(bytes);
    } catch (MalformedFrameException expected) {
      assertThat(expected.code()).isNotNull();
    }
    try {
      AutonatV1Codec.decodeResponse(bytes);
    } catch (MalformedFrameException expected) {
      assertThat(expected.code()).isNotNull();
    }
  }
}
