package org.grapevine.node.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Supplier;
import org.grapevine.collect.SmallSet;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.sync.EntryRef;
import org.grapevine.protocol.topic.Topics;

/**
 * The node core's decisions on when to sync and with whom (rule 3 of {@link NodeCore}): the
 * connected peers, the sessions being opened, the ones wanted again, and the periodic round. It
 * asks for a session with {@link CoreCommand.OpenSync} and says why with {@link
 * CoreEvent.SyncDecided}; {@link SyncSessions} runs them.
 */
final class SyncPlanner {
  private final BiPredicate<PeerId, String> subscribes;

  /** The identities sessions offer: the follows and the circle's fetched members. */
  private final Supplier<? extends Set<Identity>> offered;

  private final CoreConfig config;
  private final CoreOutputs out;
  private SyncSessions sessions;

  /** Connected peers in the order they came; the periodic round walks this list. */
  private final List<PeerId> connected = new ArrayList<>();

  /** Each peer's connection count ({@link PeerSyncs#connections}), with what sessions keep. */
  private final SyncPeers peers;

  /** Peers we asked the driver to open a sync stream to, not yet open. */
  private final Set<PeerId> opening = new SmallSet<>();

  /** Peers to sync with once more when their running session ends. */
  private final Set<PeerId> again = new SmallSet<>();

  /**
   * Topics followed when no connected peer was known to subscribe to them: the first connected peer
   * heard to subscribe gets the follow's sync. (A {@code follow} with an invite dials first and
   * follows at once: the new peer's subscriptions may not have come yet, and its history would wait
   * for the periodic round.) Bounded by the follows.
   */
  private final Set<String> followedUnsynced = new SmallSet<>();

  /**
   * Topics of circle members that joined (or were fetched again) when no connected peer was known
   * to subscribe to them: the first connected peer heard to subscribe gets the member's sync (one
   * the DHT rendezvous found for it, typically). Bounded by the fetched members ({@link
   * #circleFetched}).
   */
  private final Set<String> circleUnsynced = new SmallSet<>();

  private long nextRound;
  private int roundCursor;

  /**
   * @param subscribes whether a connected peer announced a subscription to a topic (the router's
   *     view: a peer that follows an identity holds its logs)
   * @param offered the identities a session offers (the periodic round syncs with peers that
   *     subscribe to one of them)
   * @param firstRound when the first periodic round is due
   */
  SyncPlanner(
      BiPredicate<PeerId, String> subscribes,
      Supplier<? extends Set<Identity>> offered,
      CoreConfig config,
      CoreOutputs out,
      SyncPeers peers,
      long firstRound) {
    this.subscribes = subscribes;
    this.offered = offered;
    this.config = config;
    this.out = out;
    this.peers = peers;
    this.nextRound = firstRound;
  }

  /** The sessions whose running state decides whether a wish waits (set once, at construction). */
  void setSessions(SyncSessions sessions) {
    this.sessions = sessions;
  }

  /** A connection to {@code peer} is up: a sync if we dialled it. */
  void connected(PeerId peer, boolean weDialled) {
    if (++peers.getOrAdd(peer).connections == 1) {
      connected.add(peer);
    }
    if (weDialled) {
      want(peer, CoreEvent.SyncReason.CONNECTED);
    }
  }

  /** Whether at least one connection to {@code peer} is up. */
  boolean isConnected(PeerId peer) {
    PeerSyncs p = peers.get(peer);
    return p != null && p.connections > 0;
  }

  /** A connection to {@code peer} is down; true when it was the last one. */
  boolean disconnected(PeerId peer) {
    PeerSyncs p = peers.get(peer);
    if (p != null && p.connections > 0) {
      if (--p.connections > 0) {
        return false;
      }
      peers.dropIfIdle(peer, p);
    }
    connected.remove(peer);
    opening.remove(peer);
    again.remove(peer);
    return true;
  }

  /** The stream we asked for (or one the peer opened) is open. */
  void opened(PeerId peer) {
    opening.remove(peer);
  }

  void openFailed(PeerId peer) {
    opening.remove(peer);
    again.remove(peer);
  }

  /** When the next periodic round is due. */
  long nextRound() {
    return nextRound;
  }

  /** Runs the periodic round if it is due. */
  void timeout(long nowNanos) {
    if (nowNanos >= nextRound) {
      nextRound = nowNanos + config.syncIntervalNanos();
      periodicRound();
    }
  }

  /**
   * A sync with {@code peer} whether or not it subscribes to a topic of ours (the session names
   * what we follow); false, deciding nothing, when it is not connected.
   */
  boolean wantRequested(PeerId peer) {
    if (!isConnected(peer)) {
      return false;
    }
    want(peer, CoreEvent.SyncReason.REQUESTED);
    return true;
  }

  void wantWithAll(CoreEvent.SyncReason reason) {
    for (PeerId peer : connected) {
      want(peer, reason);
    }
  }

  /**
   * The peers that follow the topic's identity: they hold its logs (others may too, and a session
   * asks any peer by name, but only subscribers are known to). False if there is none.
   */
  boolean wantWithSubscribers(String topic, CoreEvent.SyncReason reason) {
    boolean any = false;
    for (PeerId peer : connected) {
      if (subscribes.test(peer, topic)) {
        want(peer, reason);
        any = true;
      }
    }
    return any;
  }

  /**
   * We follow {@code topic}'s identity now: a sync with each connected subscriber of it, or, when
   * none is known yet, with the first connected peer heard to subscribe ({@link #subscribed}).
   */
  void followed(String topic) {
    if (!wantWithSubscribers(topic, CoreEvent.SyncReason.FOLLOW)) {
      followedUnsynced.add(topic);
    }
  }

  /**
   * Originals to fetch by reference (sync.proto step 5a): a sync with the connected subscribers of
   * each original's identity (they follow it, so hold its entries), or when there is none, with the
   * peer that sent the entry referring to them ({@code from}; null for own entries), which holds
   * that entry and, having shown it, perhaps the original. Else the next session asks for them.
   */
  void wantOriginals(List<EntryRef> refs, PeerId from) {
    Set<Identity> identities = new LinkedHashSet<>();
    refs.forEach(r -> identities.add(r.identity()));
    boolean any = false;
    for (Identity identity : identities) {
      any |= wantWithSubscribers(Topics.forIdentity(identity), CoreEvent.SyncReason.ORIGINAL);
    }
    if (!any && from != null && isConnected(from)) {
      want(from, CoreEvent.SyncReason.ORIGINAL);
    }
  }

  void unfollowed(String topic) {
    followedUnsynced.remove(topic);
  }

  /**
   * A circle member is fetched now: a sync with each connected subscriber of its topic, or, when
   * none is known yet, with the first connected peer heard to subscribe ({@link #subscribed}).
   */
  void circleJoined(String topic) {
    if (!wantWithSubscribers(topic, CoreEvent.SyncReason.CIRCLE)) {
      circleUnsynced.add(topic);
    }
  }

  /** The topics of the circle's fetched members now: the others wait for no subscriber. */
  void circleFetched(Collection<String> topics) {
    circleUnsynced.retainAll(new HashSet<>(topics));
  }

  /** Our router heard {@code peer} subscribe to {@code topic}. */
  void subscribed(PeerId peer, String topic) {
    if (!isConnected(peer)) {
      return;
    }
    if (followedUnsynced.remove(topic)) {
      want(peer, CoreEvent.SyncReason.FOLLOW);
    } else if (circleUnsynced.remove(topic)) {
      want(peer, CoreEvent.SyncReason.CIRCLE);
    }
  }

  /**
   * Whether {@code peer} subscribes to any of {@code ours}: only then is it known to hold something
   * we follow (a session would still ask any peer by name, at the cost of a round trip and its
   * look-ups; the periodic round spends that only on peers known to share).
   */
  private boolean sharesTopic(PeerId peer, Set<String> ours) {
    for (String t : ours) {
      if (subscribes.test(peer, t)) {
        return true;
      }
    }
    return false;
  }

  private void want(PeerId peer, CoreEvent.SyncReason reason) {
    if (opening.contains(peer) || sessions.running(peer)) {
      again.add(peer);
      return;
    }
    opening.add(peer);
    out.events.add(new CoreEvent.SyncDecided(peer, reason));
    out.commands.add(new CoreCommand.OpenSync(peer));
  }

  /**
   * Up to {@link CoreConfig#syncPeersPerRound} idle peers that follow someone we follow (or a
   * fetched member of the extended circle), round-robin over the connected ones.
   */
  private void periodicRound() {
    if (config.syncPeersPerRound() == 0 || connected.isEmpty()) {
      return;
    }
    Set<String> ours = new HashSet<>();
    for (Identity i : offered.get()) {
      ours.add(Topics.forIdentity(i));
    }
    int started = 0;
    int n = connected.size();
    int tried = 0;
    while (tried < n && started < config.syncPeersPerRound()) {
      PeerId peer = connected.get((roundCursor + tried) % n);
      tried++;
      if (!opening.contains(peer) && !sessions.running(peer) && sharesTopic(peer, ours)) {
        want(peer, CoreEvent.SyncReason.PERIODIC);
        started++;
      }
    }
    roundCursor = n == 0 ? 0 : (roundCursor + tried) % n;
  }

  /** A session with {@code peer} ended: run the one that was wanted meanwhile. */
  void ended(PeerId peer) {
    if (again.remove(peer) && isConnected(peer) && !sessions.running(peer)) {
      want(peer, CoreEvent.SyncReason.AGAIN);
    }
  }
}
