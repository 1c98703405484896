package org.grapevine.libp2p.kad;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.grapevine.libp2p.peer.PeerId;

/**
 * Who enters and leaves the {@link Dht}'s {@link RoutingTable}, with a {@link
 * DhtEvent.RoutingUpdated} for every peer that does. Plain state the Dht drives, not thread-safe.
 *
 * <p>Rules (the Dht's rules on the table):
 *
 * <ol>
 *   <li><b>Who enters</b> (spec "Client and server mode", as go): a peer that identify says serves
 *       {@code /ipfs/kad/1.0.0}, a seed, and a peer that answered one of our requests (it serves
 *       the protocol); the Dht calls {@link #add} for each. Peers named in answers are lookup
 *       candidates only. A peer identify says no longer serves leaves ({@link #removeNotServer}). A
 *       peer in the table that sends us a request counts as seen alive ({@link #seenAlive}). Our
 *       own ID never enters.
 *   <li><b>Full buckets</b>: the table asks for a check of its least recently seen peer; we send a
 *       PING as a {@link PendingRequests.Purpose#CHECK} request and its answer, failure or timeout
 *       comes back through {@link #endCheck}. A peer that does not answer within {@link
 *       DhtConfig#checkTimeoutNanos} is replaced. The table times the same check out itself at the
 *       same deadline; whichever comes first ends it.
 *   <li><b>Failures</b>: a lookup request that fails or times out removes the peer from the table
 *       at once ({@link #peerFailed}), as go does (a dead peer crowds every answer we give). A live
 *       peer removed so by a lost message comes back on its next answer or identify.
 *   <li>A removal, or a failed check, can let in the peer that waited on a check: it is reported as
 *       added.
 * </ol>
 */
final class TableKeeper {
  private final DhtContext ctx;
  private final RoutingTable table;
  private final PendingRequests pending;

  /** Checks in flight: checked peer → request id. */
  private final Map<PeerId, Long> checks = new HashMap<>();

  TableKeeper(DhtContext ctx, PendingRequests pending) {
    this.ctx = ctx;
    this.table = ctx.table;
    this.pending = pending;
  }

  /** A peer that serves the DHT: in if there is room, else its bucket's oldest peer is checked. */
  void add(KadPeer p) {
    if (p.id().equals(ctx.self)) {
      return;
    }
    RoutingTable.AddResult r = table.add(p, ctx.now());
    switch (r.status()) {
      case ADDED -> {
        ctx.stats.peersAdded++;
        ctx.events.add(new DhtEvent.RoutingUpdated(p, true));
      }
      case CHECK_NEEDED -> sendCheck(r.toCheck().orElseThrow());
      default -> {}
    }
  }

  /** A table peer sent us a request: seen alive. Empty addresses keep the known ones. */
  void seenAlive(PeerId peer) {
    if (table.find(peer).isPresent()) {
      table.add(KadPeer.of(peer), ctx.now());
    }
  }

  /** Identify says {@code peer} no longer serves the DHT. */
  void removeNotServer(PeerId peer) {
    if (remove(peer)) {
      ctx.stats.peersRemovedNotServer++;
    }
  }

  /** A request to {@code peer} failed or timed out. */
  void peerFailed(PeerId peer) {
    if (remove(peer)) {
      ctx.stats.peersRemovedForFailure++;
    }
  }

  /** The check request {@code requestId} of {@code checked} ended: answered or not. */
  void endCheck(long requestId, PeerId checked, boolean alive) {
    Optional<KadPeer> old = table.find(checked);
    boolean[] applied = new boolean[1];
    tableChange(() -> applied[0] = table.handleCheckResult(checked, alive, ctx.now()));
    checks.remove(checked, requestId); // after the change, which reports the waiting peer
    if (applied[0] && !alive && old.isPresent()) {
      ctx.events.add(new DhtEvent.RoutingUpdated(old.get(), false));
    }
  }

  /** The table's own check deadlines. */
  void handleTimeout() {
    tableChange(() -> table.handleTimeout(ctx.now()));
  }

  private boolean remove(PeerId peer) {
    Optional<KadPeer> known = table.find(peer);
    if (known.isEmpty()) {
      return false;
    }
    tableChange(() -> table.remove(peer, ctx.now()));
    ctx.events.add(new DhtEvent.RoutingUpdated(known.get(), false));
    return true;
  }

  private void sendCheck(KadPeer old) {
    long id = ctx.newId();
    long deadline = ctx.now() + ctx.config.checkTimeoutNanos();
    KadMessage ping = KadMessage.request(KadMessageType.PING, new byte[0]);
    pending.send(id, -1, old, ping, true, PendingRequests.Purpose.CHECK, deadline);
    checks.put(old.id(), id);
    ctx.stats.checksSent++;
  }

  /**
   * Runs a table change that may let peers waiting on a check in (a failed check, a removal making
   * room), and reports those that entered.
   */
  private void tableChange(Runnable change) {
    List<KadPeer> waiting = new ArrayList<>(checks.size());
    for (PeerId checked : checks.keySet()) {
      table.waitingOn(checked).ifPresent(waiting::add);
    }
    change.run();
    for (KadPeer w : waiting) {
      if (table.find(w.id()).isPresent()) {
        ctx.stats.peersAdded++;
        ctx.events.add(new DhtEvent.RoutingUpdated(w, true));
      }
    }
  }
}
