package org.grapevine.node.core;

import java.util.LinkedHashMap;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.node.engine.LooseLimits;
import org.grapevine.protocol.identity.Identity;

/**
 * Who floods an addressee topic (issue 15). Over its limit, an addressed entry is IGNOREd, which
 * costs nobody score: pubsub here is unsigned, so the peer that forwarded it may be an honest
 * relay. But an honest relay forwards only what it accepted, at most the per-writer limit per
 * window of its own clock; any window of ours overlaps at most two of its windows. So a peer that
 * delivers more than twice the per-writer limit of one writer's addressed entries within one of our
 * windows is not keeping the limits: the flooder's own node, or a relay that forwards without
 * checking. Likewise for more than twice the per-addressee limit of entries addressing one identity
 * (a flood from many fresh identities). Its further such entries in the window that our limits drop
 * are REJECTed ({@code RejectReason.FLOOD}), which lowers its score like any invalid message.
 *
 * <p>Counts every addressed message a peer delivers, accepted or not. Fixed windows of core time;
 * at most {@link #MAX_TRACKED} (peer, writer) pairs, the least recently seen forgotten first. Not
 * thread-safe: the core's.
 */
final class FloodGuard {
  static final int MAX_TRACKED = 10_000;

  /** A peer and a writer ({@code addressee} false) or an addressee ({@code addressee} true). */
  private record Pair(PeerId peer, Identity identity, boolean addressee) {}

  private static final class Window {
    long start;
    long count;
  }

  private final long windowNanos;
  private final long writerBound;
  private final long addresseeBound;

  /** Null until the first count: most nodes of a simulation never see an addressed entry. */
  private LinkedHashMap<Pair, Window> seen;

  FloodGuard(LooseLimits.Config limits) {
    this.windowNanos = limits.windowMillis() * 1_000_000L;
    this.writerBound = 2L * limits.perWriterEntries();
    this.addresseeBound = 2L * limits.perAddresseeEntries();
  }

  /**
   * Counts one addressed message of {@code writer} addressing {@code addressee} from {@code peer};
   * true when the peer is over either bound in this window (this message included).
   */
  boolean floods(PeerId peer, Identity writer, Identity addressee, long nowNanos) {
    boolean overWriter = count(new Pair(peer, writer, false), nowNanos) > writerBound;
    boolean overAddressee = count(new Pair(peer, addressee, true), nowNanos) > addresseeBound;
    return overWriter || overAddressee;
  }

  private long count(Pair key, long nowNanos) {
    long start = nowNanos - Math.floorMod(nowNanos, windowNanos);
    if (seen == null) {
      seen = new LinkedHashMap<>(16, 0.75f, true);
    }
    Window w = seen.computeIfAbsent(key, k -> new Window());
    if (seen.size() > MAX_TRACKED) {
      seen.remove(seen.keySet().iterator().next()); // Least recently seen; never w.
    }
    if (w.start != start) {
      w.start = start;
      w.count = 0;
    }
    return ++w.count;
  }

  /** Forgets a peer that is gone. */
  void forget(PeerId peer) {
    if (seen != null) {
      seen.keySet().removeIf(p -> p.peer().equals(peer));
    }
  }
}
