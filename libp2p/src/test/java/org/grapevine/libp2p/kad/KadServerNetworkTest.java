package org.grapevine.libp2p.kad;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.Test;

/**
 * {@link Lookup}s driven against 80 {@link KadServer}s in memory, each with its own routing table
 * (every node offered every other: near buckets hold all, far ones k, as after a long run), with no
 * time passing: a provider announces a key to the {@code k} closest it finds, and a peer that never
 * heard of it finds the provider with GET_PROVIDERS.
 */
class KadServerNetworkTest {
  private static final int N = 80;
  private static final long NOW_MILLIS = 1_000_000L;

  private final SplittableRandom random = new SplittableRandom(29);
  private final Map<PeerId, KadServer> servers = new LinkedHashMap<>();
  private final Map<PeerId, RoutingTable> tables = new LinkedHashMap<>();
  private final Map<PeerId, ProviderStore> stores = new LinkedHashMap<>();

  KadServerNetworkTest() {
    List<PeerId> ids = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      ids.add(KadTestPeers.random(random));
    }
    for (PeerId id : ids) {
      RoutingTable t = new RoutingTable(id, RoutingTable.K, 1_000);
      for (PeerId other : ids) {
        if (!other.equals(id)) {
          t.add(KadPeer.of(other), 0);
        }
      }
      ProviderStore s = new ProviderStore(1_000, 20, 100, ProviderStore.VALIDITY_MILLIS);
      tables.put(id, t);
      stores.put(id, s);
      servers.put(
          id,
          new KadServer(t, s, new RecordStore(100, ProviderStore.VALIDITY_MILLIS), RoutingTable.K));
    }
  }

  /**
   * Walks the network from {@code self} with requests of {@code type} for {@code key}; every
   * provider named in an answer is added to {@code providersSeen}.
   */
  private List<KadPeer> lookup(
      PeerId self, KadMessageType type, byte[] key, Set<PeerId> providersSeen) {
    KadKey target = KadKey.of(key);
    Lookup l =
        new Lookup(
            self,
            target,
            tables.get(self).closest(target, RoutingTable.K),
            LookupConfig.DEFAULT,
            0);
    while (!l.isDone()) {
      List<KadPeer> asked = new ArrayList<>();
      for (Optional<KadPeer> p = l.pollRequest(); p.isPresent(); p = l.pollRequest()) {
        asked.add(p.get());
      }
      assertThat(asked).as("a lookup that is not done has someone to ask").isNotEmpty();
      for (KadPeer p : asked) {
        KadMessage answer =
            servers
                .get(p.id())
                .handle(self, KadMessage.request(type, key), NOW_MILLIS)
                .response()
                .orElseThrow();
        answer.providerPeers().forEach(pp -> providersSeen.add(pp.id()));
        List<KadPeer> closer = answer.closerPeers().stream().map(KadPeerInfo::peer).toList();
        l.handleResponse(p.id(), closer, 0);
      }
    }
    return l.result();
  }

  private List<PeerId> trueClosest(KadKey target, int n) {
    List<PeerId> all = new ArrayList<>(servers.keySet());
    all.sort((a, b) -> target.compareDistance(KadKey.of(a), KadKey.of(b)));
    return all.subList(0, n);
  }

  @Test
  void providerAnnouncedToClosest_isFoundByAnotherPeer() {
    List<PeerId> ids = new ArrayList<>(servers.keySet());
    PeerId provider = ids.get(0);
    PeerId seeker = ids.get(N - 1);
    byte[] key = new byte[34];
    random.nextBytes(key);
    key[0] = 0x12;
    key[1] = 32;

    // 1. The provider finds the k closest to the key, and announces to them.
    List<KadPeer> closest = lookup(provider, KadMessageType.FIND_NODE, key, new HashSet<>());
    List<PeerId> closestIds = closest.stream().map(KadPeer::id).toList();
    List<PeerId> expected = new ArrayList<>(trueClosest(KadKey.of(key), RoutingTable.K + 1));
    expected.remove(provider); // A lookup never lists its own node.
    assertThat(closestIds).containsExactlyElementsOf(expected.subList(0, RoutingTable.K));
    KadMessage announce =
        new KadMessage(
            KadMessageType.ADD_PROVIDER,
            key,
            null,
            List.of(),
            List.of(KadPeerInfo.of(provider, List.of())));
    for (PeerId server : closestIds) {
      assertThat(servers.get(server).handle(provider, announce, NOW_MILLIS).refusal()).isEmpty();
    }
    for (PeerId id : ids) {
      assertThat(stores.get(id).providers(key, NOW_MILLIS))
          .as("only the servers announced to hold the record")
          .hasSize(closestIds.contains(id) ? 1 : 0);
    }

    // 2. The seeker, which heard nothing, finds the provider.
    Set<PeerId> seen = new HashSet<>();
    lookup(seeker, KadMessageType.GET_PROVIDERS, key, seen);
    assertThat(seen).containsExactly(provider);
  }
}
