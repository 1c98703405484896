package org.grapevine.libp2p.bitswap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.grapevine.libp2p.bitswap.BitswapEvent.BlockReceived;
import org.grapevine.libp2p.bitswap.BitswapEvent.PeerMisbehaved;
import org.grapevine.libp2p.bitswap.BitswapEvent.Reason;
import org.grapevine.libp2p.bitswap.BitswapEvent.WantFailed;
import org.grapevine.libp2p.bitswap.BitswapNet.Node;
import org.junit.jupiter.api.Test;

class BitswapTest {
  private static final long TIMEOUT = 5_000_000_000L;

  /** Small blocks and caps, so the limits are reached with little data. */
  private static final BitswapLimits SMALL = new BitswapLimits(4200, 2048, 16, 4096, TIMEOUT);

  private static byte[] bytes(long seed, int n) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void want_onePeerHasTheBlock_blockReceived() throws Exception {
    BitswapNet net = new BitswapNet(BitswapLimits.defaults());
    Node client = net.add(1);
    Node server = net.add(2);
    byte[] data = bytes(1, 1 << 20); // the largest block a file has
    Cid cid = server.put(data);

    client.core.want(cid, List.of(server.id), net.now);
    net.run();

    assertThat(client.events).containsExactly(new BlockReceived(cid, data, server.id));
    assertThat(client.core.wantCount()).isZero();
    assertThat(client.core.pollTimeout()).isEmpty();
    assertThat(server.core.counters().blocksSent()).isEqualTo(1);
    assertThat(client.core.counters().blocksReceived()).isEqualTo(1);
  }

  @Test
  void want_manyBlocksFromTwoPeers_eachBlockCrossesOnce() throws Exception {
    BitswapNet net = new BitswapNet(SMALL);
    Node client = net.add(1);
    Node a = net.add(2);
    Node b = net.add(3);
    List<Cid> cids = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      byte[] data = bytes(100 + i, 1 + i * 50);
      cids.add(a.put(data));
      b.put(data);
    }

    // At most maxWantsPerPeer (16) wants at a time: the client keeps within the servers' limit.
    for (int start = 0; start < cids.size(); start += 10) {
      for (Cid cid : cids.subList(start, Math.min(cids.size(), start + 10))) {
        client.core.want(cid, List.of(a.id, b.id), net.now);
      }
      net.run();
    }

    assertThat(client.received())
        .extracting(BlockReceived::cid)
        .containsExactlyInAnyOrderElementsOf(cids);
    for (BlockReceived r : client.received()) {
      assertThat(Cid.rawSha256(r.data())).isEqualTo(r.cid());
    }
    // Want-have everywhere, want-block at one peer: each block crossed the network once.
    assertThat(a.core.counters().blocksSent() + b.core.counters().blocksSent()).isEqualTo(40);
    assertThat(client.core.counters().duplicateBlocks()).isZero();
    assertThat(a.events).isEmpty();
    assertThat(b.events).isEmpty();
  }

  @Test
  void handleMessage_blockNotHashingToTheWant_droppedReportedWantStaysOpen() throws Exception {
    BitswapNet net = new BitswapNet(BitswapLimits.defaults());
    Node client = net.add(1);
    Node server = net.add(2);
    byte[] data = bytes(2, 1000);
    Cid cid = server.put(data);
    byte[] corrupt = data.clone();
    corrupt[500] ^= 1;
    client.core.want(cid, List.of(server.id), net.now);
    Outgoing ask = client.core.pollOutgoing().orElseThrow();
    assertThat(ask.message().wants()).containsExactly(WantEntry.want(cid, WantType.BLOCK));

    // The server answers the want-block with corrupted bytes under the right prefix.
    BitswapMessage forged =
        BitswapMessage.reply(List.of(new BlockPayload(cid.prefix(), corrupt)), List.of(), 0);
    client.core.handleMessage(server.id, net.codec.decode(net.codec.encode(forged)), net.now);
    BitswapNet.drainEvents(client);

    assertThat(client.events)
        .containsExactly(new PeerMisbehaved(server.id, BitswapError.HASH_MISMATCH));
    assertThat(client.core.counters().mismatchedBlocks()).isEqualTo(1);
    assertThat(client.core.wantCount()).isEqualTo(1);

    // The real block still gets through.
    server.core.handleMessage(client.id, ask.message(), net.now);
    net.run();
    assertThat(client.received()).containsExactly(new BlockReceived(cid, data, server.id));
  }

  @Test
  void handleMessage_unsolicitedBlock_reported_lateOneOnlyCounted() throws Exception {
    BitswapNet net = new BitswapNet(BitswapLimits.defaults());
    Node client = net.add(1);
    Node stranger = net.add(2);
    byte[] data = bytes(3, 100);
    BitswapMessage push =
        BitswapMessage.reply(List.of(BlockPayload.of(Cid.rawSha256(data), data)), List.of(), 0);

    client.core.handleMessage(stranger.id, push, net.now);
    BitswapNet.drainEvents(client);
    assertThat(client.events)
        .containsExactly(new PeerMisbehaved(stranger.id, BitswapError.UNSOLICITED_BLOCK));
    assertThat(client.core.counters().unsolicitedBlocks()).isEqualTo(1);

    // Wanted then cancelled: the block may cross our cancel on the wire. No report for that.
    client.events.clear();
    client.core.want(Cid.rawSha256(data), List.of(stranger.id), net.now);
    client.core.cancel(Cid.rawSha256(data), net.now);
    client.core.handleMessage(stranger.id, push, net.now);
    BitswapNet.drainEvents(client);
    assertThat(client.events).isEmpty();
    assertThat(client.core.counters().duplicateBlocks()).isEqualTo(1);
    // The cancel replaced the want before it went out.
    assertThat(client.core.pollOutgoing().orElseThrow().message().wants())
        .containsExactly(WantEntry.cancel(Cid.rawSha256(data)));
  }

  @Test
  void handleMessage_wantsOverThePeerLimit_excessIgnoredAndReported() throws Exception {
    BitswapNet net = new BitswapNet(SMALL); // 16 wants a peer
    Node flooder = net.add(1);
    Node server = net.add(2);
    List<WantEntry> flood = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      flood.add(WantEntry.want(Cid.rawSha256(bytes(i, 8)), WantType.HAVE));
    }

    server.core.handleMessage(
        flooder.id, net.codec.decode(net.codec.encode(BitswapMessage.wants(flood))), net.now);
    BitswapNet.drainEvents(server);

    assertThat(server.events)
        .containsExactly(new PeerMisbehaved(flooder.id, BitswapError.TOO_MANY_WANTS));
    assertThat(server.core.counters().wantsRefused()).isEqualTo(24);
    Set<Cid> answered = new HashSet<>();
    for (Optional<Outgoing> o = server.core.pollOutgoing();
        o.isPresent();
        o = server.core.pollOutgoing()) {
      o.get().message().presences().forEach(p -> answered.add(p.cid()));
      assertThat(o.get().message().presences())
          .allSatisfy(p -> assertThat(p.type()).isEqualTo(PresenceType.DONT_HAVE));
    }
    assertThat(answered).hasSize(16);

    // A cancel makes room; a full wantlist replaces the old one.
    server.core.handleMessage(
        flooder.id, BitswapMessage.wants(List.of(WantEntry.cancel(flood.get(0).cid()))), net.now);
    server.core.handleMessage(flooder.id, BitswapMessage.wants(List.of(flood.get(39))), net.now);
    server.core.handleMessage(
        flooder.id,
        new BitswapMessage(flood.subList(20, 36), true, List.of(), List.of(), 0, 0),
        net.now);
    BitswapNet.drainEvents(server);
    assertThat(server.events).hasSize(1);
    assertThat(server.core.counters().wantsRefused()).isEqualTo(24);
  }

  @Test
  void want_dontHaveFromEveryPeer_wantFails() throws Exception {
    BitswapNet net = new BitswapNet(BitswapLimits.defaults());
    Node client = net.add(1);
    Node a = net.add(2);
    Node b = net.add(3);
    Cid cid = Cid.rawSha256(bytes(4, 10));

    client.core.want(cid, List.of(a.id, b.id), net.now);
    net.run();

    assertThat(client.events).containsExactly(new WantFailed(cid, Reason.DONT_HAVE));
    assertThat(client.core.wantCount()).isZero();
    assertThat(client.core.pollTimeout()).isEmpty();
    assertThat(a.core.counters().dontHavesSent()).isEqualTo(1);
    assertThat(b.core.counters().dontHavesSent()).isEqualTo(1);

    client.events.clear();
    client.core.want(cid, List.of(), net.now);
    BitswapNet.drainEvents(client);
    assertThat(client.events).containsExactly(new WantFailed(cid, Reason.NO_PEERS));
  }

  @Test
  void handleTimeout_blockPeerSilent_nextPeerThatHasItAsked() throws Exception {
    BitswapNet net = new BitswapNet(BitswapLimits.defaults());
    Node client = net.add(1);
    Node slow = net.add(2);
    Node good = net.add(3);
    byte[] data = bytes(5, 5000);
    Cid cid = slow.put(data);
    good.put(data);
    // The slow peer says HAVE, but its blocks never arrive.
    net.lost = (from, o) -> from.equals(slow.id) && !o.message().blocks().isEmpty();

    client.core.want(cid, List.of(slow.id, good.id), net.now);
    net.run();

    assertThat(client.events).isEmpty();
    assertThat(slow.core.counters().blocksSent()).isEqualTo(1); // it was asked first
    assertThat(good.core.counters().blocksSent()).isZero();
    long deadline = client.core.pollTimeout().orElseThrow();
    assertThat(deadline).isEqualTo(net.now + net.limits.answerTimeoutNanos());

    net.now = deadline - 1;
    client.core.handleTimeout(net.now);
    net.run();
    assertThat(client.events).isEmpty();

    net.now = deadline;
    client.core.handleTimeout(net.now);
    net.run();
    assertThat(client.events).containsExactly(new BlockReceived(cid, data, good.id));
  }

  @Test
  void handleTimeout_onlyPeerSilent_wantFailsAndIsCancelled() throws Exception {
    BitswapNet net = new BitswapNet(BitswapLimits.defaults());
    Node client = net.add(1);
    Node silent = net.add(2);
    Cid cid = silent.put(bytes(6, 10));
    net.lost = (from, o) -> from.equals(silent.id);

    client.core.want(cid, List.of(silent.id), net.now);
    net.run();
    net.now = client.core.pollTimeout().orElseThrow();
    client.core.handleTimeout(net.now);
    BitswapNet.drainEvents(client);

    assertThat(client.events).containsExactly(new WantFailed(cid, Reason.TIMED_OUT));
    assertThat(client.core.pollOutgoing().orElseThrow().message().wants())
        .containsExactly(WantEntry.cancel(cid));
    assertThat(client.core.pollTimeout()).isEmpty();
  }

  @Test
  void peerDisconnected_blockPeerGone_nextPeerThatHasItAsked() throws Exception {
    BitswapNet net = new BitswapNet(BitswapLimits.defaults());
    Node client = net.add(1);
    Node gone = net.add(2);
    Node other = net.add(3);
    byte[] data = bytes(7, 300);
    Cid cid = gone.put(data);
    other.put(data);
    net.lost = (from, o) -> from.equals(gone.id) && !o.message().blocks().isEmpty();

    client.core.want(cid, List.of(gone.id, other.id), net.now);
    net.run();
    assertThat(client.events).isEmpty();
    net.lost = (from, o) -> false;
    client.core.peerDisconnected(gone.id, net.now);
    net.run();

    assertThat(client.events).containsExactly(new BlockReceived(cid, data, other.id));
  }

  @Test
  void pollOutgoing_bytesInFlightAtTheCap_blocksWaitForHandleSent() throws Exception {
    BitswapNet net = new BitswapNet(SMALL); // 4096 bytes in flight, 4200-byte messages
    Node client = net.add(1);
    Node server = net.add(2);
    server.reportsSent = false;
    List<Cid> cids = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      cids.add(server.put(bytes(200 + i, 2000)));
    }
    cids.forEach(c -> client.core.want(c, List.of(server.id), net.now));

    for (int round = 1; round <= 5; round++) {
      net.run();
      // Two blocks of 2000 bytes fit in 4096; the third waits until they are written.
      assertThat(client.received()).hasSize(2 * round);
      assertThat(server.unreported).isEqualTo(4000);
      server.core.handleSent(client.id, server.unreported, net.now);
      server.unreported = 0;
    }
    net.run();
    assertThat(client.received()).extracting(BlockReceived::cid).containsExactlyElementsOf(cids);
    assertThat(client.core.wantCount()).isZero();
  }

  @Test
  void pollOutgoing_moreBlocksThanOneMessageHolds_splitWithinTheSizeLimit() throws Exception {
    BitswapLimits limits = new BitswapLimits(4200, 2048, 16, 16384, TIMEOUT);
    BitswapNet net = new BitswapNet(limits);
    Node client = net.add(1);
    Node server = net.add(2);
    for (int i = 0; i < 5; i++) {
      client.core.want(server.put(bytes(300 + i, 2000)), List.of(server.id), net.now);
    }
    server.core.handleMessage(
        client.id, client.core.pollOutgoing().orElseThrow().message(), net.now);

    List<Integer> blocksPerMessage = new ArrayList<>();
    for (Optional<Outgoing> o = server.core.pollOutgoing();
        o.isPresent();
        o = server.core.pollOutgoing()) {
      blocksPerMessage.add(o.get().message().blocks().size());
      assertThat(net.codec.encode(o.get().message()).length).isLessThanOrEqualTo(4200);
    }

    assertThat(blocksPerMessage).containsExactly(2, 2, 1);
  }

  @Test
  void pollOutgoing_largeBlocksGoOnePerMessage_smallOnesShareUpToTheTarget() throws Exception {
    BitswapNet net = new BitswapNet(BitswapLimits.defaults());
    Node client = net.add(1);
    Node server = net.add(2);
    // Three 1 MiB blocks would fit in one 4 MiB message; five of 40 KiB in one of 64 KiB twice.
    for (int i = 0; i < 3; i++) {
      client.core.want(server.put(bytes(400 + i, 1 << 20)), List.of(server.id), net.now);
    }
    for (int i = 0; i < 5; i++) {
      client.core.want(server.put(bytes(500 + i, 40 << 10)), List.of(server.id), net.now);
    }
    server.core.handleMessage(
        client.id, client.core.pollOutgoing().orElseThrow().message(), net.now);

    List<Integer> blocksPerMessage = new ArrayList<>();
    for (Optional<Outgoing> o = server.core.pollOutgoing();
        o.isPresent();
        o = server.core.pollOutgoing()) {
      blocksPerMessage.add(o.get().message().blocks().size());
    }

    assertThat(Bitswap.REPLY_TARGET_BYTES).isEqualTo(64 * 1024);
    assertThat(blocksPerMessage).containsExactly(1, 1, 1, 2, 2, 1);
  }

  @Test
  void handleMalformed_undecodableBytes_reported() {
    BitswapNet net = new BitswapNet(BitswapLimits.defaults());
    Node client = net.add(1);
    BitswapException error = null;
    try {
      net.codec.decode(new byte[] {(byte) 0xff, (byte) 0xff});
    } catch (BitswapException e) {
      error = e;
    }
    assertThat(error).isNotNull();

    client.core.handleMalformed(net.add(2).id, error, net.now);
    BitswapNet.drainEvents(client);

    assertThat(client.events)
        .containsExactly(new PeerMisbehaved(BitswapNet.peer(2), BitswapError.MALFORMED));
    assertThat(client.core.counters().malformedMessages()).isEqualTo(1);
  }

  @Test
  void blockAdded_peersWantedItBeforeWeHadIt_blockAndHaveSentNow() throws Exception {
    BitswapNet net = new BitswapNet(BitswapLimits.defaults());
    Node server = net.add(1);
    Node wantsBlock = net.add(2);
    Node wantsHave = net.add(3);
    Node cancelled = net.add(4);
    Node other = net.add(5);
    byte[] data = bytes(8, 3000);
    Cid cid = Cid.rawSha256(data);
    // Peers that keep wanting after a DONT_HAVE (go and Helia do: their sessions end the want).
    server.core.handleMessage(
        wantsBlock.id, BitswapMessage.wants(List.of(WantEntry.want(cid, WantType.BLOCK))), net.now);
    server.core.handleMessage(
        wantsHave.id, BitswapMessage.wants(List.of(WantEntry.want(cid, WantType.HAVE))), net.now);
    server.core.handleMessage(
        cancelled.id, BitswapMessage.wants(List.of(WantEntry.want(cid, WantType.BLOCK))), net.now);
    server.core.handleMessage(
        other.id,
        BitswapMessage.wants(List.of(WantEntry.want(Cid.rawSha256(bytes(9, 10)), WantType.HAVE))),
        net.now);
    List<Outgoing> first = drain(server);
    assertThat(first).hasSize(4);
    assertThat(first)
        .allSatisfy(
            o ->
                assertThat(o.message().presences())
                    .extracting(BlockPresence::type)
                    .containsExactly(PresenceType.DONT_HAVE));
    server.core.handleMessage(
        cancelled.id, BitswapMessage.wants(List.of(WantEntry.cancel(cid))), net.now);

    server.core.blockAdded(cid, net.now); // not in the store yet: nothing to say
    assertThat(server.core.pollOutgoing()).isEmpty();
    server.put(data);
    server.core.blockAdded(cid, net.now);
    List<Outgoing> later = drain(server);

    assertThat(later)
        .extracting(Outgoing::peer)
        .containsExactlyInAnyOrder(wantsBlock.id, wantsHave.id);
    Outgoing toBlock = later.get(later.get(0).peer().equals(wantsBlock.id) ? 0 : 1);
    Outgoing toHave = later.get(later.get(0).peer().equals(wantsBlock.id) ? 1 : 0);
    assertThat(toBlock.message().blocks()).containsExactly(BlockPayload.of(cid, data));
    assertThat(toBlock.chargedBytes()).isEqualTo(3000);
    assertThat(toHave.message().presences())
        .containsExactly(new BlockPresence(cid, PresenceType.HAVE));
    assertThat(server.core.counters().blocksAddedAnswered()).isEqualTo(2);

    // The block went: that want left the ledger. The want-have stays until cancelled.
    server.core.blockAdded(cid, net.now);
    assertThat(drain(server))
        .singleElement()
        .satisfies(o -> assertThat(o.peer()).isEqualTo(wantsHave.id));
  }

  @Test
  void want_beyondMaxWants_failsAtOnceWithWantlistFull() throws Exception {
    BitswapNet net = new BitswapNet(BitswapLimits.defaults().withMaxWants(3));
    Node client = net.add(1);
    Node server = net.add(2);
    net.lost = (from, o) -> true; // nobody answers: the wants stay open
    List<Cid> cids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      cids.add(server.put(bytes(400 + i, 10)));
    }

    for (Cid c : cids.subList(0, 3)) {
      client.core.want(c, List.of(server.id), net.now);
    }
    client.core.want(cids.get(0), List.of(BitswapNet.peer(3)), net.now); // known: not a new want
    client.core.want(cids.get(3), List.of(server.id), net.now);
    net.run();

    assertThat(client.events).containsExactly(new WantFailed(cids.get(3), Reason.WANTLIST_FULL));
    assertThat(client.core.wantCount()).isEqualTo(3);
    assertThat(client.core.counters().wantsOverLimit()).isEqualTo(1);

    // Room again once one ends.
    client.core.cancel(cids.get(1), net.now);
    client.core.want(cids.get(3), List.of(server.id), net.now);
    assertThat(client.core.wantCount()).isEqualTo(3);
  }

  @Test
  void handleTimeout_wantsOfDifferentAges_onlyTheDueOnesFailInDeadlineOrder() throws Exception {
    BitswapNet net = new BitswapNet(BitswapLimits.defaults());
    Node client = net.add(1);
    Node silent = net.add(2);
    net.lost = (from, o) -> true;
    long timeout = net.limits.answerTimeoutNanos();
    List<Cid> cids = new ArrayList<>();
    List<Long> deadlines = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Cid cid = Cid.rawSha256(bytes(500 + i, 10));
      cids.add(cid);
      client.core.want(cid, List.of(silent.id), net.now);
      deadlines.add(net.now + timeout);
      net.now += 1_000_000_000L; // one a second
    }
    // Wanting the first one again from a new peer gives it a fresh deadline: now the last due.
    client.core.want(cids.get(0), List.of(BitswapNet.peer(3)), net.now);
    long renewed = net.now + timeout;
    net.run();

    assertThat(client.core.pollTimeout()).hasValue(deadlines.get(1));
    client.core.handleTimeout(deadlines.get(2));
    BitswapNet.drainEvents(client);
    assertThat(client.events)
        .containsExactly(
            new WantFailed(cids.get(1), Reason.TIMED_OUT),
            new WantFailed(cids.get(2), Reason.TIMED_OUT));
    assertThat(client.core.pollTimeout()).hasValue(deadlines.get(3));

    client.core.handleTimeout(renewed - 1);
    assertThat(client.core.pollTimeout()).hasValue(renewed);
    client.core.handleTimeout(renewed);
    BitswapNet.drainEvents(client);
    assertThat(client.events)
        .extracting(e -> ((WantFailed) e).cid())
        .containsExactly(cids.get(1), cids.get(2), cids.get(3), cids.get(4), cids.get(0));
    assertThat(client.core.pollTimeout()).isEmpty();
    assertThat(client.core.wantCount()).isZero();
  }

  private static List<Outgoing> drain(Node n) {
    List<Outgoing> out = new ArrayList<>();
    for (Optional<Outgoing> o = n.core.pollOutgoing(); o.isPresent(); o = n.core.pollOutgoing()) {
      out.add(o.get());
    }
    return out;
  }
}
