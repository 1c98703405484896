package org.grapevine.node.core;

import java.util.List;
import org.grapevine.libp2p.gossipsub.Acceptance;
import org.grapevine.libp2p.gossipsub.GossipEvent;
import org.grapevine.libp2p.gossipsub.MessageId;
import org.grapevine.libp2p.kad.KadPeer;
import org.grapevine.libp2p.kad.QueryKind;
import org.grapevine.libp2p.kad.QueryStats;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.node.engine.IngestSource;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.sync.SyncErrorCode;
import org.grapevine.protocol.sync.SyncEvent;
import org.grapevine.protocol.sync.SyncStats;
import org.grapevine.protocol.validation.RejectReason;

/** What a {@link NodeCore} tells its driver ({@link NodeCore#pollEvent}): facts, not requests. */
public sealed interface CoreEvent {

  /**
   * Entries were stored, in storage order: the one that arrived and those it unblocked from the gap
   * buffer.
   *
   * @param from the peer that sent them; null for own entries
   */
  record Stored(List<LogEntry> entries, IngestSource source, PeerId from) implements CoreEvent {}

  /**
   * The verdict on a gossip message from {@code from} (the peer that forwarded it): ACCEPT forwards
   * it, REJECT costs {@code from} score, IGNORE drops it.
   */
  record GossipJudged(MessageId id, PeerId from, String topic, Acceptance verdict)
      implements CoreEvent {}

  /**
   * Something the core's GossipSub router told (grafts, prunes, peer exchange, misbehaviour); the
   * messages and subscriptions it hears the core handles itself.
   */
  record Gossip(GossipEvent event) implements CoreEvent {}

  /** A decision to sync with {@code peer}, and why; the stream is opened by the driver. */
  record SyncDecided(PeerId peer, SyncReason reason) implements CoreEvent {}

  /** Why the core syncs with a peer. */
  enum SyncReason {
    /** We dialled a new connection to it. */
    CONNECTED,
    /** The periodic round (what gossip missed). */
    PERIODIC,
    /** An entry arrived ahead of its predecessors: fetch the gap. */
    GAP,
    /** We started following someone: fetch their history. */
    FOLLOW,
    /** Asked for while a session with the peer was running: run another one after it. */
    AGAIN,
    /** This device was just delegated: peers must hold the delegation before its entries. */
    DELEGATED,
    /**
     * The driver asked for it ({@link NodeCore#handleSyncWanted}); the peer need not subscribe to
     * any of ours, since the session asks it by name for what we follow. No driver asks yet (a
     * provider found through the DHT syncs because the connection to it was dialled, see {@link
     * #CONNECTED}).
     */
    REQUESTED,
    /**
     * A stored repost or quote post refers to an entry the store lacks: the session asks for it by
     * reference (sync.proto step 5a) from a peer that follows its identity, or the one that sent
     * the repost.
     */
    ORIGINAL,
    /**
     * An identity joined the extended circle (or came back within its budgets): fetch its log from
     * the peers that follow it ({@link NodeCore#enableCircle}).
     */
    CIRCLE
  }

  /**
   * The peer was judged at fault: a gossip message rejected, or a sync session failed by its fault.
   * {@code reason} is set for rejected entries, {@code syncError} for sync failures.
   */
  record Blamed(PeerId peer, RejectReason reason, SyncErrorCode syncError, String detail)
      implements CoreEvent {}

  /**
   * A sync session ended: everything the peer sent is stored by then. {@code stats} is set when it
   * completed; otherwise {@code code} and {@code fault} say why not.
   */
  record SyncEnded(
      long sync,
      PeerId peer,
      SyncStats stats,
      SyncErrorCode code,
      SyncEvent.Fault fault,
      String detail)
      implements CoreEvent {
    public boolean completed() {
      return stats != null;
    }
  }

  /**
   * A DHT query ended.
   *
   * @param topic the topic it looked up providers of, or null (providing, bootstrap, refresh,
   *     diagnostics)
   * @param providers how many providers it found (FIND_PROVIDERS)
   */
  record DhtQueryDone(String topic, QueryKind kind, int providers, QueryStats stats)
      implements CoreEvent {}

  /**
   * The answer to a lookup of a media file's providers ({@link Rendezvous#findMediaProviders}):
   * {@code token} as given, the providers found (empty when none, or the lookup was refused).
   */
  record MediaProviders(long token, List<KadPeer> providers) implements CoreEvent {
    public MediaProviders {
      providers = List.copyOf(providers);
    }
  }

  /** A peer entered or left the DHT routing table (the driver persists the table). */
  record DhtRoutingUpdated(KadPeer peer, boolean added) implements CoreEvent {}
}
