package org.grapevine.node;

import static org.grapevine.node.LoopbackNodes.addr;
import static org.grapevine.node.LoopbackNodes.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.bitswap.BitswapCodec;
import org.grapevine.libp2p.bitswap.BitswapLimits;
import org.grapevine.libp2p.bitswap.BitswapMessage;
import org.grapevine.libp2p.bitswap.BlockPayload;
import org.grapevine.libp2p.bitswap.Cid;
import org.grapevine.libp2p.bitswap.WantEntry;
import org.grapevine.libp2p.bitswap.WantType;
import org.grapevine.libp2p.bitswap.netty.BitswapService;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.encoding.Varint;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer that breaks Bitswap's rules against a real node (issue 18): an unsolicited block, a want
 * flood (over 1,024 wants) and an oversize message, each on a raw stream. Each is refused and
 * counted (the node's {@code peer_fault_*} counters), the peer is disconnected at the third fault,
 * and the node keeps serving its follower Bob. (A block whose bytes do not match the CID asked for
 * is refused and reported by the Bitswap service itself: {@code BitswapServiceIT}.)
 */
@Timeout(120)
class MediaBadPeerIT {
  private static final BitswapCodec CODEC = new BitswapCodec(BitswapLimits.defaults());

  @TempDir Path dir;
  private LoopbackNodes nodes;
  private Host attacker;

  @AfterEach
  void close() {
    if (attacker != null) {
      attacker.close();
    }
    nodes.close();
  }

  private static ByteBuf frame(BitswapMessage m) {
    byte[] body = CODEC.encode(m);
    return Unpooled.wrappedBuffer(Varint.encode(body.length), body);
  }

  private MuxedStream rawStream(Node to) throws Exception {
    Connection c = attacker.dial(addr(to)).get(10, TimeUnit.SECONDS);
    MuxedStream s =
        attacker.newStream(c, List.of(BitswapService.PROTOCOL)).get(10, TimeUnit.SECONDS).stream();
    s.setReader(
        new StreamReader() {
          @Override
          public void onData(MuxedStream st, ByteBuf data) {
            data.release();
          }

          @Override
          public void onRemoteClosed(MuxedStream st) {}

          @Override
          public void onReset(MuxedStream st) {}
        });
    return s;
  }

  private static long counter(Node n, String key) {
    return n.media().counters().getOrDefault(key, 0L);
  }

  @Test
  void rulesBroken_eachCountedPeerDisconnected_nodeKeepsServingItsFollower() throws Exception {
    nodes = new LoopbackNodes(dir);
    TestAuthors.Person alice = TestAuthors.person("alice");
    TestAuthors.Person bob = TestAuthors.person("bob");
    Node a = nodes.start("a", alice);
    attacker =
        new Host(
            HostConfig.builder(PrivKey.generate(new SecureRandom()))
                .listen("/ip4/127.0.0.1/tcp/0")
                .build());
    attacker.start();

    // 1. A block nobody asked for.
    byte[] junk = new byte[2000];
    new SecureRandom().nextBytes(junk);
    rawStream(a)
        .write(
            frame(
                BitswapMessage.reply(
                    List.of(BlockPayload.of(Cid.rawSha256(junk), junk)), List.of(), 0)));
    await("unsolicited block counted", () -> counter(a, "peer_fault_unsolicited_block"), 1);

    // 2. A wantlist of 1,100 entries: the first 1,024 are kept, the rest refused and reported.
    List<WantEntry> flood = new ArrayList<>();
    for (int i = 0; i < 1100; i++) {
      flood.add(
          WantEntry.want(
              Cid.rawSha256(("want " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)),
              WantType.HAVE));
    }
    rawStream(a).write(frame(BitswapMessage.wants(flood)));
    await("want flood counted", () -> counter(a, "peer_fault_too_many_wants"), 1);

    // 3. A frame announced as 5 MiB: over the 4 MiB limit, refused from its length prefix.
    rawStream(a).write(Unpooled.wrappedBuffer(Varint.encode(5L << 20), new byte[1000]));
    await("oversize message counted", () -> counter(a, "peer_fault_too_large"), 1);
    await("the attacker disconnected", () -> counter(a, "peers_disconnected"), 1);
    await(
        "no connection left to the attacker",
        () -> a.host().connections(attacker.peerId()).isEmpty() ? 1 : 0,
        1);

    // The node still serves: Bob follows Alice and fetches her photo.
    Node b = nodes.start("b", bob);
    b.connect(addr(a)).get(10, TimeUnit.SECONDS);
    b.follow(alice.identity);
    Thread.sleep(1500);
    Path file = dir.resolve("p.png");
    Files.write(file, MediaFollowerIT.photo(120, 7));
    NodeMedia.Added added = a.media().add(file);
    LogEntry post =
        a.post("still here", "", null, List.of(), List.of(a.media().attachment(added.cid(), "")));
    await("bob holds the post", () -> b.store().entryById(post.id()).isPresent() ? 1 : 0, 1);
    await("bob holds the photo", () -> b.media().state(added.cid()).equals("held") ? 1 : 0, 1);
  }
}
