package org.grapevine.libp2p.autonat;

import java.security.SecureRandom;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrFormatException;
import org.grapevine.libp2p.peer.PeerId;

/** Peer ids and addresses for the AutoNAT core tests. */
final class AutonatTestPeers {
  private AutonatTestPeers() {}

  static PeerId peer(int n) {
    byte[] seed = new byte[32];
    seed[0] = (byte) n;
    seed[1] = (byte) (n >> 8);
    return PeerId.fromPubKey(PrivKey.fromSeed(seed).publicKey());
  }

  static PeerId randomPeer() {
    return PeerId.fromPubKey(PrivKey.generate(new SecureRandom()).publicKey());
  }

  static Multiaddr addr(String text) {
    try {
      return Multiaddr.parse(text);
    } catch (MultiaddrFormatException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
