package org.grapevine.node.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.grapevine.protocol.identity.Identity;
import org.junit.jupiter.api.Test;

/** Peers' not-held names: equal arrays are one copy, and adding to one peer's leaves the others. */
class SyncPeersTest {
  private static Identity id(int i) {
    byte[] key = new byte[32];
    key[0] = (byte) i;
    return Identity.of(key);
  }

  @Test
  void equalNotHeldNames_shareOneArray_andGrowApart() {
    SyncPeers peers = new SyncPeers();
    PeerSyncs a = new PeerSyncs();
    PeerSyncs b = new PeerSyncs();
    PeerSyncs c = new PeerSyncs();
    peers.addNotHeld(a, List.of(id(2), id(1)));
    peers.addNotHeld(b, List.of(id(1), id(2))); // the same names: sorted, so equal
    peers.addNotHeld(c, List.of(id(3)));
    assertThat(b.notHeld).isSameAs(a.notHeld).containsExactly(id(1), id(2));
    assertThat(c.notHeld).containsExactly(id(3));

    peers.addNotHeld(b, List.of(id(3)));
    assertThat(b.notHeld).containsExactly(id(1), id(2), id(3));
    assertThat(a.notHeld).containsExactly(id(1), id(2)); // a's own names unchanged

    // Four other lists since: a's array is no longer among the recent ones, and a new equal
    // list is its own copy (the cache is bounded), still with the same names.
    for (int i = 10; i < 14; i++) {
      peers.addNotHeld(new PeerSyncs(), List.of(id(i)));
    }
    PeerSyncs d = new PeerSyncs();
    peers.addNotHeld(d, List.of(id(1), id(2)));
    assertThat(d.notHeld).isNotSameAs(a.notHeld).isEqualTo(a.notHeld);
  }
}
