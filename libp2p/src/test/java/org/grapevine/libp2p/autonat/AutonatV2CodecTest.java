package org.grapevine.libp2p.autonat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.grapevine.libp2p.autonat.AutonatTestPeers.addr;

import com.google.protobuf.ByteString;
import java.util.Collections;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.autonat.AutonatV2Message.DialDataRequest;
import org.grapevine.libp2p.autonat.AutonatV2Message.DialDataResponse;
import org.grapevine.libp2p.autonat.AutonatV2Message.DialRequest;
import org.grapevine.libp2p.autonat.AutonatV2Message.DialResponse;
import org.grapevine.libp2p.proto.autonat.v2.Message;
import org.junit.jupiter.api.Test;

/** {@link AutonatV2Codec}: round trips, the wire bytes of the spec's schema, and bad input. */
class AutonatV2CodecTest {
  @Test
  void encode_dialRequest_roundTripsWithFixed64Nonce() throws Exception {
    byte[] a = addr("/ip4/11.1.1.1/tcp/4001").encode();
    byte[] body = AutonatV2Codec.encode(new DialRequest(List.of(a), -2L));

    // Message{1: DialRequest{1: addr, 2 (fixed64, wire type 1): nonce}}
    assertThat(body[0]).isEqualTo((byte) 0x0a);
    assertThat(body[2]).isEqualTo((byte) 0x0a);
    assertThat(body[4 + a.length]).isEqualTo((byte) 0x11);
    DialRequest back = (DialRequest) AutonatV2Codec.decode(body);
    assertThat(back.nonce()).isEqualTo(-2L);
    assertThat(back.addrs()).singleElement().isEqualTo(a);
  }

  @Test
  void encode_otherMessages_roundTrip() throws Exception {
    for (AutonatV2Message m :
        List.of(
            new DialResponse(ResponseStatus.OK, 3, DialStatus.E_DIAL_BACK_ERROR),
            new DialResponse(ResponseStatus.E_DIAL_REFUSED, 0, DialStatus.UNUSED),
            new DialDataRequest(1, 77_777),
            new DialDataResponse(4096))) {
      assertThat(AutonatV2Codec.decode(AutonatV2Codec.encode(m))).isEqualTo(m);
    }
    assertThat(AutonatV2Codec.decodeDialBack(AutonatV2Codec.encodeDialBack(Long.MIN_VALUE)))
        .isEqualTo(Long.MIN_VALUE);
    assertThat(AutonatV2Codec.decodeDialBackResponse(AutonatV2Codec.encodeDialBackResponse()))
        .isTrue();
  }

  @Test
  void decode_unknownStatusValues_decodeAsUnknownForTheClientToDiscard() throws Exception {
    byte[] body =
        Message.newBuilder()
            .setDialResponse(
                org.grapevine.libp2p.proto.autonat.v2.DialResponse.newBuilder()
                    .setStatusValue(150)
                    .setDialStatusValue(999))
            .build()
            .toByteArray();
    DialResponse r = (DialResponse) AutonatV2Codec.decode(body);
    assertThat(r.status()).isEqualTo(ResponseStatus.UNKNOWN);
    assertThat(r.dialStatus()).isEqualTo(DialStatus.UNKNOWN);
  }

  @Test
  void decode_emptyMessage_missingField() {
    assertThatThrownBy(() -> AutonatV2Codec.decode(new byte[0]))
        .isInstanceOfSatisfying(
            MalformedFrameException.class,
            e -> assertThat(e.code()).isEqualTo(FrameError.MISSING_FIELD));
  }

  @Test
  void decode_oversizeBody_tooLarge() {
    assertThatThrownBy(() -> AutonatV2Codec.decode(new byte[AutonatV2Codec.MAX_MESSAGE_BYTES + 1]))
        .isInstanceOfSatisfying(
            MalformedFrameException.class,
            e -> assertThat(e.code()).isEqualTo(FrameError.TOO_LARGE));
    assertThatThrownBy(() -> AutonatV2Codec.decodeDialBack(new byte[65]))
        .isInstanceOfSatisfying(
            MalformedFrameException.class,
            e -> assertThat(e.code()).isEqualTo(FrameError.TOO_LARGE));
  }

  @Test
  void decode_tooManyAddrs_tooLarge() {
    byte[] body =
        AutonatV2Codec.encode(
            new DialRequest(Collections.nCopies(AutonatV2Codec.MAX_ADDRS + 1, new byte[] {4}), 1));
    assertThatThrownBy(() -> AutonatV2Codec.decode(body))
        .isInstanceOfSatisfying(
            MalformedFrameException.class,
            e -> assertThat(e.code()).isEqualTo(FrameError.TOO_LARGE));
  }

  @Test
  void decode_dataChunkOver4096_tooLarge() {
    byte[] body =
        Message.newBuilder()
            .setDialDataResponse(
                org.grapevine.libp2p.proto.autonat.v2.DialDataResponse.newBuilder()
                    .setData(ByteString.copyFrom(new byte[4097])))
            .build()
            .toByteArray();
    assertThatThrownBy(() -> AutonatV2Codec.decode(body))
        .isInstanceOfSatisfying(
            MalformedFrameException.class,
            e -> assertThat(e.code()).isEqualTo(FrameError.TOO_LARGE));
  }

  @Test
  void decode_garbage_badEncoding() {
    assertThatThrownBy(() -> AutonatV2Codec.decode(new byte[] {0x0a, 0x7f, 0x01}))
        .isInstanceOfSatisfying(
            MalformedFrameException.class,
            e -> assertThat(e.code()).isEqualTo(FrameError.BAD_ENCODING));
    assertThatThrownBy(() -> AutonatV2Codec.decodeDialBack(new byte[] {0x09, 0x01}))
        .isInstanceOfSatisfying(
            MalformedFrameException.class,
            e -> assertThat(e.code()).isEqualTo(FrameError.BAD_ENCODING));
  }

  @Property(tries = 1000)
  void decode_anyBytes_messageOrTypedError(@ForAll @Size(max = 600) byte[] bytes) {
    try {
      assertThat(AutonatV2Codec.decode(bytes)).isNotNull();
    } catch (MalformedFrameException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
    try {
      AutonatV2Codec.decodeDialBack(bytes);
      AutonatV2Codec.decodeDialBackResponse(bytes);
    } catch (MalformedFrameException expected) {
      assertThat(expected.code()).isNotNull();
    }
  }
}
