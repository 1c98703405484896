package org.grapevine.libp2p.bitswap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.peer.PeerId;

/**
 * Bitswap cores wired to each other: every message goes through the real codec (encode, then decode
 * at the receiver, size checked). Time moves only when a test says so.
 */
final class BitswapNet {
  /** The blocks a node serves. */
  static final class Store implements BlockSource {
    final Map<Cid, byte[]> blocks = new HashMap<>();

    @Override
    public boolean has(Cid cid) {
      return blocks.containsKey(cid);
    }

    @Override
    public Optional<byte[]> get(Cid cid) {
      return Optional.ofNullable(blocks.get(cid)).map(byte[]::clone);
    }
  }

  /** One node: its core and the blocks it serves. */
  static final class Node {
    final PeerId id;
    final Store store = new Store();
    final Bitswap core;
    final List<BitswapEvent> events = new ArrayList<>();

    /** Whether the node reports written bytes at once (false: the test does it). */
    boolean reportsSent = true;

    /** Charged bytes sent and not reported, while {@link #reportsSent} is false. */
    long unreported;

    Node(PeerId id, BitswapLimits limits, long now) {
      this.id = id;
      this.core = new Bitswap(store, limits, now);
    }

    Cid put(byte[] data) {
      Cid cid = Cid.rawSha256(data);
      store.blocks.put(cid, data.clone());
      return cid;
    }

    List<BitswapEvent.BlockReceived> received() {
      return events.stream()
          .filter(BitswapEvent.BlockReceived.class::isInstance)
          .map(BitswapEvent.BlockReceived.class::cast)
          .toList();
    }
  }

  final BitswapLimits limits;
  final BitswapCodec codec;
  final Map<PeerId, Node> nodes = new LinkedHashMap<>();

  /** Messages lost on the way, by sender (a peer that never answers). */
  BiPredicate<PeerId, Outgoing> lost = (from, o) -> false;

  long now = 1_000;

  BitswapNet(BitswapLimits limits) {
    this.limits = limits;
    this.codec = new BitswapCodec(limits);
  }

  Node add(int n) {
    PeerId id = peer(n);
    Node node = new Node(id, limits, now);
    nodes.put(id, node);
    return node;
  }

  static PeerId peer(int n) {
    byte[] seed = new byte[32];
    Arrays.fill(seed, (byte) 3);
    seed[0] = (byte) n;
    return PeerId.fromPubKey(PrivKey.fromSeed(seed).publicKey());
  }

  /** Delivers messages until no core has anything to send. */
  void run() throws BitswapException {
    boolean moved = true;
    while (moved) {
      moved = false;
      for (Node from : nodes.values()) {
        for (Optional<Outgoing> o = from.core.pollOutgoing();
            o.isPresent();
            o = from.core.pollOutgoing()) {
          moved = true;
          deliver(from, o.get());
        }
        drainEvents(from);
      }
    }
    nodes.values().forEach(BitswapNet::drainEvents);
  }

  /** Sends one outgoing message of {@code from} through the codec. */
  void deliver(Node from, Outgoing o) throws BitswapException {
    byte[] bytes = codec.encode(o.message());
    assertThat(bytes.length).isLessThanOrEqualTo(limits.maxMessageBytes());
    if (from.reportsSent) {
      from.core.handleSent(o.peer(), o.chargedBytes(), now);
    } else {
      from.unreported += o.chargedBytes();
    }
    if (lost.test(from.id, o)) {
      return;
    }
    Node to = nodes.get(o.peer());
    to.core.handleMessage(from.id, codec.decode(bytes), now);
    drainEvents(to);
  }

  static void drainEvents(Node n) {
    for (Optional<BitswapEvent> e = n.core.pollEvent(); e.isPresent(); e = n.core.pollEvent()) {
      n.events.add(e.get());
    }
  }
}
