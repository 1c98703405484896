package org.grapevine.libp2p.relay;

import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.peer.PeerId;

/** Fixed identities for the relay's unit tests. */
final class RelayTestKeys {
  static final PrivKey RELAY_KEY = key(1);
  static final PeerId RELAY = PeerId.fromPubKey(RELAY_KEY.publicKey());
  static final PrivKey A_KEY = key(2);
  static final PeerId A = PeerId.fromPubKey(A_KEY.publicKey());
  static final PeerId B = peer(3);
  static final PeerId C = peer(4);

  private RelayTestKeys() {}

  static PrivKey key(int n) {
    byte[] seed = new byte[32];
    seed[0] = (byte) n;
    seed[31] = (byte) (n * 7);
    return PrivKey.fromSeed(seed);
  }

  static PeerId peer(int n) {
    return PeerId.fromPubKey(key(n).publicKey());
  }
}
