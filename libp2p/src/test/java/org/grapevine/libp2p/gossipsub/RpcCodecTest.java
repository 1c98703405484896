package org.grapevine.libp2p.gossipsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.proto.ControlIDontWant;
import org.grapevine.libp2p.proto.ControlIHave;
import org.grapevine.libp2p.proto.ControlMessage;
import org.grapevine.libp2p.proto.ControlPrune;
import org.grapevine.libp2p.proto.Message;
import org.grapevine.libp2p.proto.PeerInfo;
import org.grapevine.libp2p.proto.RPC;
import org.junit.jupiter.api.Test;

class RpcCodecTest {
  private final RpcCodec codec = new RpcCodec();

  @Test
  void decode_encodedRpc_roundTrips() throws MalformedFrameException {
    RPC proto =
        RPC.newBuilder()
            .addSubscriptions(RPC.SubOpts.newBuilder().setSubscribe(true).setTopicid("t"))
            .addPublish(Message.newBuilder().setTopic("t").setData(ByteString.copyFromUtf8("hi")))
            .setControl(
                ControlMessage.newBuilder()
                    .addIhave(
                        ControlIHave.newBuilder()
                            .setTopicID("t")
                            .addMessageIDs(ByteString.copyFromUtf8("id")))
                    .addPrune(ControlPrune.newBuilder().setTopicID("t").setBackoff(60)))
            .build();
    Rpc decoded = codec.decode(codec.encode(Rpc.of(proto)));
    assertThat(decoded.proto()).isEqualTo(proto);
  }

  @Test
  void decode_knownBytes_matchWireLayout() throws MalformedFrameException {
    // RPC{subscriptions:[{subscribe:true, topicid:"a"}]}: 0a 05 | 08 01 12 01 61
    byte[] wire = {0x0a, 0x05, 0x08, 0x01, 0x12, 0x01, 0x61};
    Rpc rpc = codec.decode(wire);
    assertThat(rpc.proto().getSubscriptions(0).getTopicid()).isEqualTo("a");
    assertThat(codec.encode(rpc)).isEqualTo(wire);
  }

  @Test
  void decode_delimitedFrame_readsLengthThenBody() throws MalformedFrameException {
    ByteBuf buf = Unpooled.buffer();
    try {
      Rpc rpc =
          Rpc.of(
              RPC.newBuilder().addSubscriptions(RPC.SubOpts.newBuilder().setTopicid("x")).build());
      codec.encodeDelimited(rpc, buf);
      ByteBuf partial = buf.slice(0, 0);
      assertThat(codec.readLength(partial)).isEqualTo(-1);
      int len = codec.readLength(buf);
      assertThat(len).isEqualTo(buf.readableBytes());
      assertThat(codec.decode(buf.readSlice(len))).isEqualTo(rpc);
    } finally {
      buf.release();
    }
  }

  @Test
  void decode_overSizeLimit_throws() {
    RpcCodec small = new RpcCodec(100);
    byte[] big =
        codec.encode(
            Rpc.of(
                RPC.newBuilder()
                    .addPublish(
                        Message.newBuilder()
                            .setTopic("t")
                            .setData(ByteString.copyFrom(new byte[200])))
                    .build()));
    assertThatThrownBy(() -> small.decode(big))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("at most 100");
    ByteBuf prefix = Unpooled.wrappedBuffer(new byte[] {(byte) 0xc8, 0x01}); // 200
    assertThatThrownBy(() -> small.readLength(prefix)).isInstanceOf(MalformedFrameException.class);
  }

  @Test
  void decode_messageWithoutTopic_throws() {
    byte[] wire =
        codec.encode(
            Rpc.of(
                RPC.newBuilder()
                    .addPublish(Message.newBuilder().setData(ByteString.EMPTY))
                    .build()));
    assertThatThrownBy(() -> codec.decode(wire))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("topic");
  }

  @Test
  void decode_tooManyIDontWantIds_throws() {
    ControlIDontWant.Builder idw = ControlIDontWant.newBuilder();
    for (int i = 0; i < RpcCodec.MAX_IDONTWANT_IDS + 1; i++) {
      idw.addMessageIDs(ByteString.copyFrom(new byte[] {(byte) i}));
    }
    byte[] wire =
        RPC.newBuilder()
            .setControl(ControlMessage.newBuilder().addIdontwant(idw))
            .build()
            .toByteArray();
    assertThatThrownBy(() -> codec.decode(wire))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("IDONTWANT");
  }

  @Test
  void decode_tooManyPeerInfos_throws() {
    ControlPrune.Builder prune = ControlPrune.newBuilder().setTopicID("t");
    for (int i = 0; i < RpcCodec.MAX_PEER_INFOS + 1; i++) {
      prune.addPeers(PeerInfo.newBuilder().setPeerID(ByteString.copyFrom(new byte[] {(byte) i})));
    }
    byte[] wire =
        RPC.newBuilder()
            .setControl(ControlMessage.newBuilder().addPrune(prune))
            .build()
            .toByteArray();
    assertThatThrownBy(() -> codec.decode(wire))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("PeerInfos");
  }

  @Test
  void decode_tooManySubscriptions_throws() {
    RPC.Builder b = RPC.newBuilder();
    for (int i = 0; i < RpcCodec.MAX_SUBSCRIPTIONS + 1; i++) {
      b.addSubscriptions(RPC.SubOpts.newBuilder().setSubscribe(true));
    }
    byte[] wire = b.build().toByteArray();
    assertThatThrownBy(() -> codec.decode(wire))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("subscriptions");
  }

  @Property(tries = 2000)
  void decode_arbitraryBytes_decodesOrThrowsMalformed(@ForAll @Size(max = 300) byte[] bytes) {
    try {
      Rpc rpc = codec.decode(bytes);
      assertThat(rpc.proto().getSerializedSize()).isLessThanOrEqualTo(bytes.length);
    } catch (MalformedFrameException expected) {
      // The one permitted failure.
    }
  }
}
