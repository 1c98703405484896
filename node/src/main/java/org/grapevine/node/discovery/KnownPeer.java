package org.grapevine.node.discovery;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.grapevine.libp2p.multiaddr.Multiaddr;

/** What a {@link ConnectionManager} knows of one peer. Mutable; confined to the manager. */
final class KnownPeer {
  final EnumSet<PeerSource> sources = EnumSet.noneOf(PeerSource.class);

  /** Bootstrap addresses: always kept, always tried first. */
  final List<Multiaddr> pinned = new ArrayList<>();

  /** Learned addresses, oldest first, bounded. */
  final LinkedHashSet<Multiaddr> learned = new LinkedHashSet<>();

  /** A topic peer (rendezvous): dialled whatever the target, never evicted, until released. */
  boolean topicPeer;

  boolean connected;
  boolean dialing;
  int failures;
  long nextDialAt;
  long lastSeen;

  /** The addresses last persisted, or null if not persisted. */
  List<Multiaddr> saved;

  boolean isBootstrap() {
    return sources.contains(PeerSource.BOOTSTRAP);
  }

  /** Adds addresses; returns true if any was new. */
  boolean learn(List<Multiaddr> addrs, int max) {
    boolean changed = false;
    for (Multiaddr a : addrs) {
      if (pinned.contains(a)) {
        continue;
      }
      changed |= !learned.contains(a);
      learned.remove(a);
      learned.add(a); // Most recent last.
      while (learned.size() > max) {
        learned.remove(learned.iterator().next());
      }
    }
    return changed;
  }

  /**
   * Dial order: bootstrap addresses, then learned direct ones, most recently heard first, then
   * learned circuit addresses the same way.
   */
  List<Multiaddr> addrs() {
    Set<Multiaddr> out = new LinkedHashSet<>(pinned);
    List<Multiaddr> recent = new ArrayList<>(learned);
    for (int i = recent.size() - 1; i >= 0; i--) {
      if (!recent.get(i).isCircuit()) {
        out.add(recent.get(i));
      }
    }
    for (int i = recent.size() - 1; i >= 0; i--) {
      out.add(recent.get(i)); // Circuits last: a relay is the way in when no direct one works.
    }
    return List.copyOf(out);
  }
}
