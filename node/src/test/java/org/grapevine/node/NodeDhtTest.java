package org.grapevine.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.kad.KadPeer;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.node.storage.MemoryPostStore;
import org.junit.jupiter.api.Test;

/** The routing table as the store keeps it, and the addresses a provider record carries. */
class NodeDhtTest {
  private static PeerId peer() {
    return PeerId.fromPubKey(PrivKey.generate(new SecureRandom()).publicKey());
  }

  @Test
  void routingTable_writtenAndReadBack_boundedAndWithoutAddresslessPeers() throws Exception {
    MemoryPostStore store = new MemoryPostStore();
    List<KadPeer> peers = new ArrayList<>();
    for (int i = 0; i < NodeDht.MAX_PERSISTED + 10; i++) {
      peers.add(
          new KadPeer(
              peer(), List.of(Multiaddr.parse("/ip4/10.0.0." + (i % 250 + 1) + "/tcp/4001"))));
    }
    PeerId noAddrs = peer();
    peers.add(0, new KadPeer(noAddrs, List.of()));

    NodeDht.write(store, peers);
    List<KadPeer> read = NodeDht.read(store);

    assertThat(read).hasSize(NodeDht.MAX_PERSISTED);
    assertThat(read).containsExactlyElementsOf(peers.subList(1, NodeDht.MAX_PERSISTED + 1));
    assertThat(read).extracting(KadPeer::id).doesNotContain(noAddrs);
  }

  @Test
  void routingTable_unreadableLinesSkipped_theRestKept() throws Exception {
    MemoryPostStore store = new MemoryPostStore();
    PeerId good = peer();
    String text =
        "not-a-peer /ip4/10.0.0.1/tcp/1\n"
            + good
            + " /ip4/10.0.0.2/tcp/4001\n"
            + "\n"
            + peer()
            + " not-an-address\n";
    store.putMetadata(NodeDht.TABLE_KEY, text.getBytes(StandardCharsets.UTF_8));

    assertThat(NodeDht.read(store))
        .containsExactly(new KadPeer(good, List.of(Multiaddr.parse("/ip4/10.0.0.2/tcp/4001"))));
  }

  @Test
  void dialable_publicAddressesFirst_loopbackOnlyWhenNothingElse() throws Exception {
    List<Multiaddr> addrs =
        NodeDht.dialable(
            List.of(
                Multiaddr.parse("/ip4/192.168.1.5/tcp/4001"),
                Multiaddr.parse("/ip4/203.0.113.7/tcp/4001"),
                Multiaddr.parse("/ip4/127.0.0.1/tcp/4001")));
    assertThat(addrs.get(0)).isEqualTo(Multiaddr.parse("/ip4/203.0.113.7/tcp/4001"));
    assertThat(addrs).doesNotContain(Multiaddr.parse("/ip4/127.0.0.1/tcp/4001"));
    assertThat(NodeDht.dialable(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/4001"))))
        .containsExactly(Multiaddr.parse("/ip4/127.0.0.1/tcp/4001"));
  }
}
