package org.grapevine.libp2p.bitswap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.grapevine.libp2p.proto.bitswap.Message;
import org.junit.jupiter.api.Test;

class BitswapCodecTest {
  private final BitswapCodec codec = new BitswapCodec(BitswapLimits.defaults());

  private static Cid cid(String s) {
    return Cid.rawSha256(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void encodeDecode_everyField_roundTrips() throws Exception {
    byte[] data = "block".getBytes(StandardCharsets.UTF_8);
    BitswapMessage m =
        new BitswapMessage(
            List.of(
                new WantEntry(cid("a"), 7, false, WantType.HAVE, true),
                new WantEntry(cid("b"), 1, false, WantType.BLOCK, false),
                WantEntry.cancel(cid("c"))),
            true,
            List.of(BlockPayload.of(Cid.rawSha256(data), data)),
            List.of(
                new BlockPresence(cid("d"), PresenceType.HAVE),
                new BlockPresence(cid("e"), PresenceType.DONT_HAVE)),
            12345,
            0);

    BitswapMessage back = codec.decode(codec.encode(m));

    assertThat(back).isEqualTo(m);
    assertThat(back.blocks().get(0).cid()).isEqualTo(Cid.rawSha256(data));
  }

  @Test
  void decode_specProtobufBuiltByHand_readsEveryField() throws Exception {
    byte[] data = "hello world".getBytes(StandardCharsets.US_ASCII);
    Message wire =
        Message.newBuilder()
            .setWantlist(
                Message.Wantlist.newBuilder()
                    .addEntries(
                        Message.Wantlist.Entry.newBuilder()
                            .setBlock(ByteString.copyFrom(cid("x").bytes()))
                            .setWantType(Message.Wantlist.WantType.Have)
                            .setSendDontHave(true)))
            .addPayload(
                Message.Block.newBuilder()
                    .setPrefix(ByteString.copyFrom(new byte[] {0x01, 0x55, 0x12, 0x20}))
                    .setData(ByteString.copyFrom(data)))
            .addBlockPresences(
                Message.BlockPresence.newBuilder()
                    .setCid(ByteString.copyFrom(cid("y").bytes()))
                    .setType(Message.BlockPresenceType.DontHave))
            .build();

    BitswapMessage m = codec.decode(wire.toByteArray());

    assertThat(m.wants()).containsExactly(new WantEntry(cid("x"), 0, false, WantType.HAVE, true));
    assertThat(m.blocks()).hasSize(1);
    assertThat(m.blocks().get(0).cid())
        .hasToString("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
    assertThat(m.presences()).containsExactly(new BlockPresence(cid("y"), PresenceType.DONT_HAVE));
    assertThat(Message.parseFrom(codec.encode(m))).isEqualTo(wire);
  }

  @Test
  void decode_overTheLimits_tooLarge() {
    BitswapCodec small = new BitswapCodec(new BitswapLimits(2048, 1024, 16, 4096, 1_000));
    List<WantEntry> many = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      many.add(WantEntry.want(cid("w" + i), WantType.HAVE));
    }
    byte[] tooMany = codec.encode(BitswapMessage.wants(many));
    byte[] big = new byte[1025];
    byte[] bigBlock =
        codec.encode(
            BitswapMessage.reply(List.of(BlockPayload.of(Cid.rawSha256(big), big)), List.of(), 0));

    assertThat(tooMany.length).isGreaterThan(2048);
    assertCode(() -> small.decode(tooMany), BitswapError.TOO_LARGE);
    assertThat(bigBlock.length).isLessThan(2048);
    assertCode(() -> small.decode(bigBlock), BitswapError.TOO_LARGE);
    assertCode(() -> codec.decode(new byte[(4 << 20) + 1]), BitswapError.TOO_LARGE);
  }

  @Test
  void decode_notAMessage_malformed() {
    Message unknownWantType =
        Message.newBuilder()
            .setWantlist(
                Message.Wantlist.newBuilder()
                    .addEntries(
                        Message.Wantlist.Entry.newBuilder()
                            .setBlock(ByteString.copyFrom(cid("x").bytes()))
                            .setWantTypeValue(7)))
            .build();
    Message legacyBlocks =
        Message.newBuilder().addBlocks(ByteString.copyFromUtf8("a 1.0.0 block")).build();

    assertCode(() -> codec.decode(new byte[] {0x0a, 0x05, 0x01}), BitswapError.MALFORMED);
    assertCode(() -> codec.decode(unknownWantType.toByteArray()), BitswapError.MALFORMED);
    assertCode(() -> codec.decode(legacyBlocks.toByteArray()), BitswapError.MALFORMED);
  }

  @Test
  void decode_badCid_refused_unsupportedCidSkipped() throws Exception {
    Message badCid =
        Message.newBuilder()
            .addBlockPresences(
                Message.BlockPresence.newBuilder()
                    .setCid(ByteString.copyFrom(new byte[] {0x01, 0x55, 0x12, 0x20, 1, 2, 3})))
            .build();
    Message badPrefix =
        Message.newBuilder()
            .addPayload(
                Message.Block.newBuilder()
                    .setPrefix(ByteString.copyFrom(new byte[] {0x01, 0x55, 0x12, 0x10}))
                    .setData(ByteString.copyFromUtf8("x")))
            .build();
    byte[] v0 = new byte[34];
    v0[0] = 0x12;
    v0[1] = 0x20;
    Message cidV0 =
        Message.newBuilder()
            .setWantlist(
                Message.Wantlist.newBuilder()
                    .addEntries(
                        Message.Wantlist.Entry.newBuilder().setBlock(ByteString.copyFrom(v0)))
                    .addEntries(
                        Message.Wantlist.Entry.newBuilder()
                            .setBlock(ByteString.copyFrom(cid("ok").bytes()))))
            .build();

    assertCode(() -> codec.decode(badCid.toByteArray()), BitswapError.BAD_CID);
    assertCode(() -> codec.decode(badPrefix.toByteArray()), BitswapError.BAD_CID);
    BitswapMessage m = codec.decode(cidV0.toByteArray());
    assertThat(m.skipped()).isEqualTo(1);
    assertThat(m.wants()).extracting(WantEntry::cid).containsExactly(cid("ok"));
  }

  private static void assertCode(ThrowingCallable call, BitswapError code) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(BitswapException.class, e -> assertThat(e.code()).isEqualTo(code));
  }
}
