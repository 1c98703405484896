package org.grapevine.libp2p.host;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.grapevine.libp2p.peer.PeerId;

/**
 * Known addresses of peers, bounded: at most {@code maxPeers} peers (least recently updated dropped
 * first) and {@code maxAddrsPerPeer} addresses each (oldest dropped first), so peers that advertise
 * endless addresses cannot grow it. Addresses are kept as text multiaddrs. Thread-safe.
 */
public final class PeerStore {
  private final int maxPeers;
  private final int maxAddrsPerPeer;
  private final LinkedHashMap<PeerId, LinkedHashSet<String>> peers =
      new LinkedHashMap<>(16, 0.75f, true);

  public PeerStore(int maxPeers, int maxAddrsPerPeer) {
    this.maxPeers = maxPeers;
    this.maxAddrsPerPeer = maxAddrsPerPeer;
  }

  public synchronized void addAddrs(PeerId peer, List<String> addrs) {
    LinkedHashSet<String> set = peers.computeIfAbsent(peer, p -> new LinkedHashSet<>());
    for (String a : addrs) {
      set.remove(a);
      set.add(a);
      while (set.size() > maxAddrsPerPeer) {
        set.remove(set.iterator().next());
      }
    }
    while (peers.size() > maxPeers) {
      peers.remove(peers.keySet().iterator().next());
    }
  }

  public synchronized List<String> addrs(PeerId peer) {
    Set<String> set = peers.get(peer);
    return set == null ? List.of() : List.copyOf(set);
  }

  public synchronized List<PeerId> peers() {
    return new ArrayList<>(peers.keySet());
  }

  public synchronized Map<PeerId, List<String>> snapshot() {
    Map<PeerId, List<String>> out = new LinkedHashMap<>();
    peers.forEach((k, v) -> out.put(k, List.copyOf(v)));
    return Collections.unmodifiableMap(out);
  }
}
