package org.grapevine.libp2p.gossipsub;

import java.util.Arrays;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.peer.PeerId;

/** Deterministic keys and peer ids for tests. */
final class TestPeers {
  private TestPeers() {}

  static PrivKey key(int n) {
    byte[] seed = new byte[32];
    Arrays.fill(seed, (byte) 7);
    seed[0] = (byte) n;
    seed[1] = (byte) (n >>> 8);
    return PrivKey.fromSeed(seed);
  }

  static PeerId peer(int n) {
    return PeerId.fromPubKey(key(n).publicKey());
  }
}
