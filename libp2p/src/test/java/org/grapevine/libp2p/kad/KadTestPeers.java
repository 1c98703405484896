package org.grapevine.libp2p.kad;

import java.util.random.RandomGenerator;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.peer.PeerId;

/**
 * Peer IDs for DHT tests: sha2-256 multihash IDs with random digests, as cheap to make by the
 * thousand as the key space needs, and uniformly spread over it.
 */
final class KadTestPeers {
  private KadTestPeers() {}

  static PeerId random(RandomGenerator random) {
    byte[] mh = new byte[34];
    mh[0] = 0x12;
    mh[1] = 32;
    random.nextBytes(mh);
    mh[0] = 0x12;
    mh[1] = 32;
    try {
      return PeerId.fromBytes(mh);
    } catch (MalformedFrameException e) {
      throw new AssertionError(e);
    }
  }

  /** A random peer whose key shares exactly {@code cpl} leading bits with {@code self}'s. */
  static PeerId withCpl(PeerId self, int cpl, RandomGenerator random) {
    KadKey selfKey = KadKey.of(self);
    while (true) {
      PeerId p = random(random);
      if (selfKey.commonPrefixLength(KadKey.of(p)) == cpl) {
        return p;
      }
    }
  }
}
