package org.grapevine.libp2p.kad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.proto.kad.Message;
import org.junit.jupiter.api.Test;

class KadCodecTest {
  private final KadCodec codec = new KadCodec();

  static PeerId peer(int n) {
    byte[] seed = new byte[32];
    Arrays.fill(seed, (byte) 9);
    seed[0] = (byte) n;
    seed[1] = (byte) (n >>> 8);
    return PeerId.fromPubKey(PrivKey.fromSeed(seed).publicKey());
  }

  static Multiaddr addr(String text) {
    try {
      return Multiaddr.parse(text);
    } catch (MalformedFrameException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void findNodeRequest_knownBytes_matchTheSpecsFieldNumbers() throws MalformedFrameException {
    // Message{type: FIND_NODE (4), key: 0x01 0x02}: field 1 varint 4, field 2 bytes (2).
    byte[] wire = {0x08, 0x04, 0x12, 0x02, 0x01, 0x02};
    KadMessage m = codec.decode(wire);
    assertThat(m.type()).isEqualTo(KadMessageType.FIND_NODE);
    assertThat(m.key()).containsExactly(1, 2);
    assertThat(codec.encode(m)).isEqualTo(wire);
  }

  @Test
  void putValue_hasNoTypeOnTheWire_decodesAsPutValue() throws MalformedFrameException {
    // proto3, as the spec's schema: type 0 (PUT_VALUE) is not written. Record is field 3, its key
    // 1, value 2, timeReceived 5.
    byte[] wire = {
      0x12, 0x01, 0x6b, 0x1a, 0x09, 0x0a, 0x01, 0x6b, 0x12, 0x01, 0x76, 0x2a, 0x01, 0x74
    };
    KadMessage m = codec.decode(wire);
    assertThat(m.type()).isEqualTo(KadMessageType.PUT_VALUE);
    assertThat(m.record()).isEqualTo(new KadRecord(new byte[] {'k'}, new byte[] {'v'}, "t"));
    assertThat(codec.encode(m)).isEqualTo(wire);
  }

  @Test
  void closerAndProviderPeers_roundTripWithAddressesAndHints() throws MalformedFrameException {
    KadPeerInfo a =
        new KadPeerInfo(
            peer(1),
            List.of(addr("/ip4/10.0.0.1/tcp/4001"), addr("/ip6/::1/tcp/4002")),
            KadConnection.CONNECTED,
            0);
    KadPeerInfo b = KadPeerInfo.of(peer(2), List.of());
    KadMessage m =
        new KadMessage(
            KadMessageType.GET_PROVIDERS, new byte[] {0x12, 0x20}, null, List.of(a), List.of(b));
    KadMessage back = codec.decode(codec.encode(m));
    assertThat(back).isEqualTo(m);
    assertThat(back.closerPeers().get(0).addrs()).hasSize(2);
  }

  @Test
  void unreadableAddress_isSkippedAndCounted_peerKept() throws MalformedFrameException {
    byte[] unknownProtocol = {(byte) 0xff, (byte) 0xff, 0x03, 0x01}; // code 0xffff: not ours
    Message wire =
        Message.newBuilder()
            .setTypeValue(KadMessageType.FIND_NODE.wire())
            .addCloserPeers(
                Message.Peer.newBuilder()
                    .setId(ByteString.copyFrom(peer(3).toBytes()))
                    .addAddrs(ByteString.copyFrom(unknownProtocol))
                    .addAddrs(ByteString.copyFrom(addr("/ip4/10.0.0.3/tcp/1").encode())))
            .build();
    KadPeerInfo p = codec.decode(wire.toByteArray()).closerPeers().get(0);
    assertThat(p.id()).isEqualTo(peer(3));
    assertThat(p.addrs()).containsExactly(addr("/ip4/10.0.0.3/tcp/1"));
    assertThat(p.skippedAddrs()).isEqualTo(1);
  }

  @Test
  void badPeerId_malformed() {
    Message wire =
        Message.newBuilder()
            .setTypeValue(KadMessageType.FIND_NODE.wire())
            .addCloserPeers(
                Message.Peer.newBuilder().setId(ByteString.copyFrom(new byte[] {1, 2, 3})))
            .build();
    assertThatThrownBy(() -> codec.decode(wire.toByteArray()))
        .isInstanceOf(MalformedFrameException.class)
        .extracting(e -> ((MalformedFrameException) e).code())
        .isEqualTo(FrameError.BAD_ENCODING);
  }

  @Test
  void unknownType_unsupported() {
    byte[] wire = {0x08, 0x09};
    assertThatThrownBy(() -> codec.decode(wire))
        .extracting(e -> ((MalformedFrameException) e).code())
        .isEqualTo(FrameError.UNSUPPORTED);
  }

  @Test
  void tooManyPeers_tooManyAddresses_tooLongKey_tooLarge() {
    Message.Builder peers = Message.newBuilder().setTypeValue(4);
    Message.Peer one =
        Message.Peer.newBuilder().setId(ByteString.copyFrom(peer(1).toBytes())).build();
    for (int i = 0; i <= KadCodec.MAX_PEERS; i++) {
      peers.addCloserPeers(one);
    }
    Message.Peer.Builder manyAddrs = one.toBuilder();
    for (int i = 0; i <= KadCodec.MAX_ADDRS; i++) {
      manyAddrs.addAddrs(ByteString.copyFrom(addr("/ip4/10.0.0.1/tcp/1").encode()));
    }
    List<byte[]> bad =
        List.of(
            peers.build().toByteArray(),
            Message.newBuilder().setTypeValue(4).addProviderPeers(manyAddrs).build().toByteArray(),
            Message.newBuilder()
                .setTypeValue(1)
                .setKey(ByteString.copyFrom(new byte[KadCodec.MAX_KEY_BYTES + 1]))
                .build()
                .toByteArray());
    for (byte[] b : bad) {
      assertThatThrownBy(() -> codec.decode(b))
          .extracting(e -> ((MalformedFrameException) e).code())
          .isEqualTo(FrameError.TOO_LARGE);
    }
  }

  @Test
  void lengthPrefixOverTheLimit_refusedBeforeTheBody() {
    ByteBuf in = Unpooled.buffer();
    try {
      org.grapevine.libp2p.encoding.Varint.write(in, KadCodec.DEFAULT_MAX_MESSAGE_BYTES + 1);
      assertThatThrownBy(() -> codec.readLength(in))
          .extracting(e -> ((MalformedFrameException) e).code())
          .isEqualTo(FrameError.TOO_LARGE);
    } finally {
      in.release();
    }
  }

  @Test
  void delimitedFrame_partialPrefixWaits_thenReadsLengthAndBody() throws MalformedFrameException {
    ByteBuf buf = Unpooled.buffer();
    try {
      KadMessage m = KadMessage.request(KadMessageType.FIND_NODE, peer(5).toBytes());
      codec.encodeDelimited(m, buf);
      assertThat(codec.readLength(buf.slice(0, 0))).isEqualTo(-1);
      int len = codec.readLength(buf);
      assertThat(len).isEqualTo(buf.readableBytes());
      assertThat(codec.decode(buf)).isEqualTo(m);
    } finally {
      buf.release();
    }
  }

  @Property(tries = 2000)
  void decode_anyBytes_messageOrTypedError(@ForAll @Size(max = 600) byte[] bytes) {
    try {
      codec.decode(bytes);
    } catch (MalformedFrameException expected) {
      // The one allowed failure.
    }
  }

  @Property(tries = 1000)
  void decode_validMessageWithFlippedBytes_messageOrTypedError(
      @ForAll("messages") KadMessage m,
      @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 0, max = 100_000) Integer> positions,
      @ForAll @Size(min = 4, max = 4) byte[] values) {
    byte[] bytes = codec.encode(m);
    if (bytes.length == 0) {
      return;
    }
    for (int i = 0; i < positions.size(); i++) {
      bytes[positions.get(i) % bytes.length] = values[i];
    }
    try {
      codec.decode(bytes);
    } catch (MalformedFrameException expected) {
      // The one allowed failure.
    }
  }

  @Property(tries = 300)
  void encodeThenDecode_anyMessage_sameMessage(@ForAll("messages") KadMessage m)
      throws MalformedFrameException {
    assertThat(codec.decode(codec.encode(m))).isEqualTo(m);
  }

  @Provide
  Arbitrary<KadMessage> messages() {
    Arbitrary<KadPeerInfo> peers =
        Combinators.combine(
                Arbitraries.integers().between(0, 50),
                Arbitraries.integers().between(0, 3),
                Arbitraries.of(KadConnection.values()))
            .as(
                (n, addrs, c) -> {
                  List<Multiaddr> list = new ArrayList<>();
                  for (int i = 0; i < addrs; i++) {
                    list.add(addr("/ip4/10.0." + n + "." + i + "/tcp/" + (4000 + i)));
                  }
                  return new KadPeerInfo(peer(n), list, c, 0);
                });
    Arbitrary<KadRecord> records =
        Combinators.combine(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(200),
                Arbitraries.strings().ofMaxLength(30))
            .as(KadRecord::new);
    return Combinators.combine(
            Arbitraries.of(KadMessageType.values()),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
            records.injectNull(0.5),
            peers.list().ofMaxSize(20),
            peers.list().ofMaxSize(5))
        .as(KadMessage::new);
  }
}
