package org.grapevine.node.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.kad.Dht;
import org.grapevine.libp2p.kad.DhtConfig;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.Test;

/** The media keys the node provides and looks up ({@link MediaProviding}), over a real Dht. */
class MediaProvidingTest {
  private final long now = 1_000_000_000L;
  private final Dht dht = new Dht(peer(), DhtConfig.DEFAULT, new SplittableRandom(3), now);
  private final MediaProviding media = new MediaProviding();

  private static PeerId peer() {
    byte[] seed = new byte[32];
    seed[0] = 42;
    return PeerId.fromPubKey(PrivKey.fromSeed(seed).publicKey());
  }

  /** A multihash key: 0x12 0x20 and a digest made of {@code n}. */
  private static byte[] key(int n) {
    byte[] k = new byte[34];
    k[0] = 0x12;
    k[1] = 0x20;
    k[2] = (byte) n;
    k[3] = (byte) (n >> 8);
    return k;
  }

  @Test
  void provided_boundedNewestKept_oldestWithdrawnFromTheDht() {
    for (int i = 0; i < MediaProviding.MAX_PROVIDED + 10; i++) {
      media.provide(dht, key(i), now);
    }
    assertThat(media.provided()).isEqualTo(MediaProviding.MAX_PROVIDED);
    assertThat(dht.providedKeys()).isEqualTo(MediaProviding.MAX_PROVIDED);
    assertThat(media.evicted()).isEqualTo(10);
    assertThat(media.providing(key(9))).isFalse();
    assertThat(media.providing(key(10))).isTrue();

    // Provided again: newest again, so the next eviction takes key(11), not key(10).
    media.provide(dht, key(10), now);
    media.provide(dht, key(100_000), now);
    assertThat(media.providing(key(10))).isTrue();
    assertThat(media.providing(key(11))).isFalse();
    assertThat(dht.providedKeys()).isEqualTo(MediaProviding.MAX_PROVIDED);
  }

  @Test
  void stop_collectedFileNoLongerProvided_unknownKeyIgnored() {
    media.provide(dht, key(1), now);
    media.provide(dht, key(2), now);
    media.stop(dht, key(1), now);
    media.stop(dht, key(3), now);
    assertThat(media.provided()).isEqualTo(1);
    assertThat(dht.providedKeys()).isEqualTo(1);
    assertThat(media.providing(key(2))).isTrue();
  }

  @Test
  void find_withAnEmptyRoutingTable_answersAtOnceWithNobody_counted() {
    CoreOutputs out = new CoreOutputs();
    media.find(dht, key(1), 77, now, out);
    assertThat(out.events.poll()).isEqualTo(new CoreEvent.MediaProviders(77, java.util.List.of()));
    assertThat(out.events.isEmpty()).isTrue();
    assertThat(media.lookupsRefused()).isEqualTo(1);
  }
}
