package org.grapevine.libp2p.bitswap;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.grapevine.libp2p.peer.PeerId;

/**
 * One node's Bitswap 1.2.0 (ipfs/specs bitswap-protocol.md, {@code /ipfs/bitswap/1.2.0}): the
 * server that answers peers' wantlists from a {@link BlockSource}, and the client that fetches the
 * blocks the owner wants. Sans-I/O: no streams, clocks, threads or logging. Not thread-safe:
 * confine to the node's loop or the simulator's thread.
 *
 * <p>Call order (as quinn-proto's Connection): after any {@code handle*} input or command, drain
 * {@link #pollOutgoing} until empty (send each, then report its {@link Outgoing#chargedBytes} with
 * {@link #handleSent} once written), then {@link #pollEvent}, then read {@link #pollTimeout} and
 * call {@link #handleTimeout} when it passes. Every input carries monotonic nanoseconds,
 * non-decreasing. Messages arrive decoded ({@link BitswapCodec}); bytes that do not decode go to
 * {@link #handleMalformed}.
 *
 * <p>Rules:
 *
 * <ol>
 *   <li><b>Ledgers</b>: we hold each peer's wants (a cancel removes one, a full wantlist replaces
 *       them all), at most {@link BitswapLimits#maxWantsPerPeer}: the excess is ignored, counted
 *       and reported once a message ({@link BitswapError#TOO_MANY_WANTS}). A disconnected peer's
 *       ledger is forgotten ({@link #peerDisconnected}).
 *   <li><b>Answers</b>: a want-have gets HAVE if the source has the block, else DONT_HAVE if the
 *       peer asked for it; a want-block gets the block as a payload, else DONT_HAVE if asked for.
 *       Blocks go highest priority first, within {@link BitswapLimits#maxBytesInFlightPerPeer} of
 *       bytes not yet reported written; replies are split to stay within {@link
 *       BitswapLimits#maxMessageBytes}, and take no block more once they hold {@link
 *       #REPLY_TARGET_BYTES} of blocks. A sent block's want leaves the ledger.
 *   <li><b>Wanting</b> ({@link #want}): one candidate is asked for the block at once; several are
 *       asked want-have, and the first to say HAVE is asked for the block, the others who say HAVE
 *       kept in reserve. Every entry asks for DONT_HAVE. A peer that says DONT_HAVE, disconnects or
 *       does not answer within {@link BitswapLimits#answerTimeoutNanos} is passed over for the next
 *       that said HAVE. When nobody is left, one {@link BitswapEvent.WantFailed}.
 *   <li><b>Receiving</b>: every block is hashed under its prefix and the resulting CID looked up; a
 *       wanted one is delivered ({@link BitswapEvent.BlockReceived}) and cancelled at every other
 *       peer we told. A block we stopped wanting lately (race with our cancel) is dropped and
 *       counted. Any other block is dropped, counted and reported: {@link
 *       BitswapError#HASH_MISMATCH} if the sender owed us a block (it sent wrong bytes), else
 *       {@link BitswapError#UNSOLICITED_BLOCK}. Presences for CIDs we do not want are counted.
 *   <li><b>Cancelling</b> ({@link #cancel}): cancels go to every peer we told; no event.
 *   <li><b>Our wantlist</b> holds at most {@link BitswapLimits#maxWants} CIDs; a want beyond fails
 *       at once ({@link BitswapEvent.Reason#WANTLIST_FULL}) rather than wait in a queue: the owner
 *       knows which fetches matter most and want again when others end.
 *   <li><b>Blocks that come later</b> ({@link #blockAdded}): peers whose ledger still lists the CID
 *       (a want-block we answered DONT_HAVE or not at all, a want-have) get the block or a HAVE
 *       now, as if they had asked again.
 * </ol>
 *
 * <p>Discrepancies: the spec lets a server answer a want-have with the block itself when it is
 * small; we always answer HAVE (one block, one copy on the wire). A block cannot mismatch its CID
 * in 1.1.0+ (the receiver computes the CID), so "mismatching" means bytes that hash to no CID we
 * asked the sender for, told apart from an unsolicited block only by whether the sender owed us
 * one.
 *
 * <p>{@code pendingBytes} (informative in the spec) is always sent as 0 and ignored when received:
 * every block we owe a peer waits only for bytes in flight, which the peer cannot act on. CIDv0 and
 * hashes other than sha2-256 are not served (skipped and counted by the codec).
 *
 * <p>Cost: {@link #pollTimeout} reads the head of a deadline-ordered queue, {@link #handleTimeout}
 * takes only the wants due; {@link #blockAdded} visits every peer's ledger once.
 */
public final class Bitswap {
  /** CIDs remembered after a want ends, so late blocks are not mistaken for attacks. */
  static final int RECENT_CIDS = 4096;

  /**
   * A reply takes no further block once it holds this many block bytes (go's engine packs to 16 KiB
   * the same way): large blocks go one per message, small ones still share. Why: the receiver can
   * use a block only when its whole message has arrived, so three 1 MiB blocks in one 3 MiB message
   * arrive in bursts, and a client keeping a few fetches open waits between them (BitswapHarness,
   * issue 18: 0.52 of one stream's rate with 8 open, 0.61 with 32).
   */
  static final int REPLY_TARGET_BYTES = 64 * 1024;

  private final BlockSource source;
  private final BitswapLimits limits;
  private final BitswapCounters counters = new BitswapCounters();

  private final Map<PeerId, PeerLedger> ledgers = new HashMap<>();

  /** Peers a reply could be built for now, served in turn. */
  private final Set<PeerId> replyReady = new LinkedHashSet<>();

  private final Map<Cid, PendingWant> wants = new LinkedHashMap<>();

  /** Every want in {@link #wants}, earliest deadline first. */
  private final TreeSet<PendingWant> deadlines = new TreeSet<>(PendingWant.BY_DEADLINE);

  private long nextSeq;

  /**
   * Our entries (wants and cancels) not yet handed out, by peer then CID (a later one replaces).
   */
  private final Map<PeerId, Map<Cid, WantEntry>> entriesToSend = new LinkedHashMap<>();

  private final ArrayDeque<BitswapEvent> events = new ArrayDeque<>();
  private final RecentCids recent = new RecentCids(RECENT_CIDS);

  private long now;

  public Bitswap(BlockSource source, BitswapLimits limits, long nowNanos) {
    this.source = Objects.requireNonNull(source, "source");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.now = nowNanos;
  }

  public BitswapCounters counters() {
    return counters;
  }

  public BitswapLimits limits() {
    return limits;
  }

  /** How many CIDs we want now. */
  public int wantCount() {
    return wants.size();
  }

  // ---------------------------------------------------------------- inputs

  /** A decoded message from {@code peer}: its wants, and answers to ours. */
  public void handleMessage(PeerId peer, BitswapMessage message, long nowNanos) {
    advance(nowNanos);
    counters.skippedEntries += message.skipped();
    EnumSet<BitswapError> faults = EnumSet.noneOf(BitswapError.class);
    serve(peer, message, faults);
    // Blocks before presences: a HAVE beside the block itself must not ask for it again.
    Boolean owes = null;
    for (BlockPayload b : message.blocks()) {
      Cid cid = b.cid(); // hashed here: the block's only name is its hash
      PendingWant w = wants.get(cid);
      if (w != null) {
        forget(w);
        deliver(w, b, peer);
      } else if (recent.contains(cid)) {
        counters.duplicateBlocks++;
      } else {
        if (owes == null) {
          owes = owesBlock(peer);
        }
        if (owes) {
          counters.mismatchedBlocks++;
          faults.add(BitswapError.HASH_MISMATCH);
        } else {
          counters.unsolicitedBlocks++;
          faults.add(BitswapError.UNSOLICITED_BLOCK);
        }
      }
    }
    for (BlockPresence p : message.presences()) {
      presence(peer, p);
    }
    for (BitswapError f : faults) {
      events.add(new BitswapEvent.PeerMisbehaved(peer, f));
    }
  }

  /** Bytes from {@code peer} that did not decode: counted and reported. */
  public void handleMalformed(PeerId peer, BitswapException error, long nowNanos) {
    advance(nowNanos);
    counters.malformedMessages++;
    events.add(new BitswapEvent.PeerMisbehaved(peer, error.code()));
  }

  /** The adapter wrote {@code bytes} of charged block data to {@code peer}. */
  public void handleSent(PeerId peer, long bytes, long nowNanos) {
    advance(nowNanos);
    PeerLedger l = ledgers.get(peer);
    if (l == null) {
      return;
    }
    l.inFlight = Math.max(0, l.inFlight - bytes);
    if (l.canSend(limits.maxBytesInFlightPerPeer())) {
      replyReady.add(peer);
    }
  }

  /**
   * {@code peer} is gone: its ledger and our unsent entries for it are dropped, and wants it held
   * move on to the next peer that said HAVE.
   */
  public void peerDisconnected(PeerId peer, long nowNanos) {
    advance(nowNanos);
    ledgers.remove(peer);
    replyReady.remove(peer);
    entriesToSend.remove(peer);
    for (PendingWant w : new ArrayList<>(wants.values())) {
      if (!w.told.remove(peer)) {
        continue;
      }
      w.awaitingHave.remove(peer);
      w.haves.remove(peer);
      if (peer.equals(w.blockPeer)) {
        w.blockPeer = null;
      }
      moveOn(w);
    }
  }

  // ---------------------------------------------------------------- commands

  /**
   * Fetch {@code cid} from {@code candidates} (peers likely to have it: providers, connected
   * peers). Wanting a CID already wanted asks the candidates not asked yet. No candidates: at once
   * {@link BitswapEvent.WantFailed} with {@link BitswapEvent.Reason#NO_PEERS}.
   */
  public void want(Cid cid, Collection<PeerId> candidates, long nowNanos) {
    advance(nowNanos);
    Set<PeerId> peers = new LinkedHashSet<>(candidates);
    PendingWant w = wants.get(cid);
    if (w != null) {
      peers.removeAll(w.told);
      if (!peers.isEmpty()) {
        peers.forEach(p -> askHave(w, p));
        setDeadline(w, now + limits.answerTimeoutNanos()); // the new peers get their full time
      }
      return;
    }
    if (peers.isEmpty()) {
      events.add(new BitswapEvent.WantFailed(cid, BitswapEvent.Reason.NO_PEERS));
      return;
    }
    if (wants.size() >= limits.maxWants()) {
      counters.wantsOverLimit++;
      events.add(new BitswapEvent.WantFailed(cid, BitswapEvent.Reason.WANTLIST_FULL));
      return;
    }
    recent.remove(cid);
    PendingWant fresh = new PendingWant(cid, nextSeq++);
    wants.put(cid, fresh);
    if (peers.size() == 1) {
      askBlock(fresh, peers.iterator().next());
    } else {
      peers.forEach(p -> askHave(fresh, p));
      setDeadline(fresh, now + limits.answerTimeoutNanos());
    }
  }

  /** Stop wanting {@code cid}: every peer we told gets a cancel. */
  public void cancel(Cid cid, long nowNanos) {
    advance(nowNanos);
    PendingWant w = wants.get(cid);
    if (w != null) {
      forget(w);
      end(w, null);
    }
  }

  /**
   * We hold {@code cid} now (stored since peers asked for it): every peer whose ledger lists it
   * gets the block (want-block) or a HAVE (want-have) with its next reply, within the usual limits.
   * A CID we do not have per the source is ignored. Our own want of it, if any, stays: the owner
   * checks its store before it fetches.
   */
  public void blockAdded(Cid cid, long nowNanos) {
    advance(nowNanos);
    if (!source.has(cid)) {
      return;
    }
    for (Map.Entry<PeerId, PeerLedger> e : ledgers.entrySet()) {
      PeerLedger l = e.getValue();
      WantEntry want = l.wants.get(cid);
      if (want == null) {
        continue;
      }
      answer(l, want);
      counters.blocksAddedAnswered++;
      if (l.canSend(limits.maxBytesInFlightPerPeer())) {
        replyReady.add(e.getKey());
      }
    }
  }

  // ---------------------------------------------------------------- outputs

  /**
   * The next message to send: our wants and cancels first (small, and they start other peers'
   * work), then replies, one peer after another.
   */
  public Optional<Outgoing> pollOutgoing() {
    Iterator<Map.Entry<PeerId, Map<Cid, WantEntry>>> peers = entriesToSend.entrySet().iterator();
    if (peers.hasNext()) {
      Map.Entry<PeerId, Map<Cid, WantEntry>> next = peers.next();
      List<WantEntry> entries = new ArrayList<>();
      int budget = limits.maxMessageBytes() - BitswapCodec.MESSAGE_BYTES;
      Iterator<WantEntry> it = next.getValue().values().iterator();
      while (it.hasNext()) {
        WantEntry e = it.next();
        budget -= BitswapCodec.entryBytes(e.cid());
        if (budget < 0) {
          break; // the rest goes in the next message
        }
        entries.add(e);
        it.remove();
      }
      if (next.getValue().isEmpty()) {
        peers.remove();
      }
      return Optional.of(new Outgoing(next.getKey(), BitswapMessage.wants(entries), 0));
    }
    while (!replyReady.isEmpty()) {
      PeerId peer = replyReady.iterator().next();
      replyReady.remove(peer);
      PeerLedger l = ledgers.get(peer);
      if (l == null) {
        continue;
      }
      Outgoing reply = reply(peer, l);
      if (reply != null) {
        if (l.canSend(limits.maxBytesInFlightPerPeer())) {
          replyReady.add(peer); // to the back: peers take turns
        }
        return Optional.of(reply);
      }
      // Nothing could go (blocks wait for bytes in flight): handleSent or new wants bring it back.
    }
    return Optional.empty();
  }

  public Optional<BitswapEvent> pollEvent() {
    return Optional.ofNullable(events.poll());
  }

  /** When {@link #handleTimeout} must next be called, if a want waits for answers. */
  public OptionalLong pollTimeout() {
    return deadlines.isEmpty() ? OptionalLong.empty() : OptionalLong.of(deadlines.first().deadline);
  }

  /** Peers that did not answer in time are passed over, for the next that said HAVE. */
  public void handleTimeout(long nowNanos) {
    advance(nowNanos);
    while (!deadlines.isEmpty() && deadlines.first().deadline <= now) {
      // Out of the queue first: moveOn either asks the next peer (a new deadline, later than now,
      // so the loop ends) or ends the want.
      PendingWant w = deadlines.pollFirst();
      w.timedOut = true;
      if (w.blockPeer != null) {
        queue(w.blockPeer, WantEntry.cancel(w.cid));
        w.told.remove(w.blockPeer);
        w.blockPeer = null;
      }
      for (PeerId p : w.awaitingHave) {
        queue(p, WantEntry.cancel(w.cid));
        w.told.remove(p);
      }
      w.awaitingHave.clear();
      moveOn(w);
    }
  }

  // ---------------------------------------------------------------- server side

  private void serve(PeerId peer, BitswapMessage message, Set<BitswapError> faults) {
    if (message.wants().isEmpty() && !message.full()) {
      return;
    }
    PeerLedger l = ledgers.computeIfAbsent(peer, p -> new PeerLedger());
    if (message.full()) {
      l.clearWants();
    }
    for (WantEntry e : message.wants()) {
      if (e.cancel()) {
        l.forget(e.cid());
        continue;
      }
      if (!l.wants.containsKey(e.cid()) && l.wants.size() >= limits.maxWantsPerPeer()) {
        counters.wantsRefused++;
        faults.add(BitswapError.TOO_MANY_WANTS);
        continue;
      }
      l.wants.put(e.cid(), e);
      counters.wantsReceived++;
      answer(l, e);
    }
    if (l.canSend(limits.maxBytesInFlightPerPeer())) {
      replyReady.add(peer);
    }
  }

  private void answer(PeerLedger l, WantEntry e) {
    Cid cid = e.cid();
    l.blocksToSend.remove(cid); // a want again may change its type
    if (!source.has(cid)) {
      if (e.sendDontHave()) {
        l.presences.put(cid, PresenceType.DONT_HAVE);
      }
    } else if (e.type() == WantType.HAVE) {
      l.presences.put(cid, PresenceType.HAVE);
    } else {
      l.presences.remove(cid);
      l.blocksToSend.put(cid, e);
    }
  }

  /** One reply for {@code peer}: blocks within the limits, then presences in the room left. */
  private Outgoing reply(PeerId peer, PeerLedger l) {
    int budget = limits.maxMessageBytes() - BitswapCodec.MESSAGE_BYTES;
    long charged = 0;
    List<BlockPayload> blocks = new ArrayList<>();
    while (!l.blocksToSend.isEmpty()) {
      WantEntry e = l.nextBlock();
      Optional<byte[]> data = source.get(e.cid());
      if (data.isEmpty() || data.get().length > limits.maxBlockBytes()) {
        // Gone since has() said yes (or not a block we may send): as if we never had it.
        l.blocksToSend.remove(e.cid());
        if (e.sendDontHave()) {
          l.presences.put(e.cid(), PresenceType.DONT_HAVE);
        }
        continue;
      }
      int size = data.get().length;
      if (l.inFlight + charged + size > limits.maxBytesInFlightPerPeer()
          || BitswapCodec.blockBytes(size) > budget
          || charged >= REPLY_TARGET_BYTES) {
        break; // maxBlockBytes <= both caps: with nothing in flight a block always goes
      }
      budget -= BitswapCodec.blockBytes(size);
      blocks.add(BlockPayload.of(e.cid(), data.get()));
      charged += size;
      l.blocksToSend.remove(e.cid());
      l.wants.remove(e.cid());
      counters.blocksSent++;
      counters.blockBytesSent += size;
    }
    List<BlockPresence> presences = new ArrayList<>();
    Iterator<Map.Entry<Cid, PresenceType>> it = l.presences.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Cid, PresenceType> p = it.next();
      budget -= BitswapCodec.presenceBytes(p.getKey());
      if (budget < 0) {
        break;
      }
      presences.add(new BlockPresence(p.getKey(), p.getValue()));
      if (p.getValue() == PresenceType.HAVE) {
        counters.havesSent++;
      } else {
        counters.dontHavesSent++;
      }
      it.remove();
    }
    if (blocks.isEmpty() && presences.isEmpty()) {
      return null;
    }
    l.inFlight += charged;
    return new Outgoing(peer, BitswapMessage.reply(blocks, presences, 0), charged);
  }

  // ---------------------------------------------------------------- client side

  private void deliver(PendingWant w, BlockPayload b, PeerId from) {
    counters.blocksReceived++;
    w.told.remove(from); // it answered: nothing to cancel there
    end(w, null);
    events.add(new BitswapEvent.BlockReceived(w.cid, b.data(), from));
  }

  private void presence(PeerId peer, BlockPresence p) {
    PendingWant w = wants.get(p.cid());
    if (w == null || !w.told.contains(peer)) {
      counters.unsolicitedPresences++;
      return;
    }
    w.awaitingHave.remove(peer);
    if (p.type() == PresenceType.HAVE) {
      if (w.blockPeer == null) {
        askBlock(w, peer);
      } else if (!peer.equals(w.blockPeer) && !w.haves.contains(peer)) {
        w.haves.add(peer);
      }
      return;
    }
    w.dontHaves++;
    w.haves.remove(peer);
    if (peer.equals(w.blockPeer)) {
      w.blockPeer = null;
    }
    moveOn(w);
  }

  /** Whether {@code peer} was asked for a block and has not delivered it. */
  private boolean owesBlock(PeerId peer) {
    for (PendingWant w : wants.values()) {
      if (peer.equals(w.blockPeer)) {
        return true;
      }
    }
    return false;
  }

  /** Ask the next peer that said HAVE if nobody has been asked for the block; fail if none. */
  private void moveOn(PendingWant w) {
    if (w.blockPeer == null && !w.haves.isEmpty()) {
      askBlock(w, w.haves.poll());
    }
    if (!w.waiting() && w.haves.isEmpty()) {
      forget(w);
      end(w, w.failure());
    }
  }

  private void askHave(PendingWant w, PeerId peer) {
    w.told.add(peer);
    w.awaitingHave.add(peer);
    queue(peer, WantEntry.want(w.cid, WantType.HAVE));
  }

  private void askBlock(PendingWant w, PeerId peer) {
    w.told.add(peer);
    w.awaitingHave.remove(peer);
    w.blockPeer = peer;
    setDeadline(w, now + limits.answerTimeoutNanos());
    queue(peer, WantEntry.want(w.cid, WantType.BLOCK));
  }

  /** Moves {@code w} in the deadline queue (it is keyed by the deadline: out, change, back in). */
  private void setDeadline(PendingWant w, long deadline) {
    deadlines.remove(w);
    w.deadline = deadline;
    deadlines.add(w);
  }

  /** Takes {@code w} out of the wantlist and the deadline queue. */
  private void forget(PendingWant w) {
    wants.remove(w.cid);
    deadlines.remove(w);
  }

  /** The want is over (already out of {@code wants}): cancels, memory, and the failure if any. */
  private void end(PendingWant w, BitswapEvent.Reason failure) {
    for (PeerId p : w.told) {
      queue(p, WantEntry.cancel(w.cid));
    }
    recent.add(w.cid);
    if (failure != null) {
      events.add(new BitswapEvent.WantFailed(w.cid, failure));
    }
  }

  private void queue(PeerId peer, WantEntry entry) {
    entriesToSend.computeIfAbsent(peer, p -> new LinkedHashMap<>()).put(entry.cid(), entry);
  }

  private void advance(long nowNanos) {
    // Monotonic input; an earlier time (a driver's rounding) must not move deadlines back.
    now = Math.max(now, nowNanos);
  }
}
