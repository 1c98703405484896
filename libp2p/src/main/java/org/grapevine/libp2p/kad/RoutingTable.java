package org.grapevine.libp2p.kad;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.grapevine.libp2p.peer.PeerId;

/**
 * The Kademlia routing table of one node (libp2p/specs kad-dht/README.md "Kademlia routing table"):
 * k-buckets of {@link #K} peers, bucket {@code i} holding the peers whose key shares exactly {@code
 * i} leading bits with ours. Sans-I/O and not thread-safe, like every core here.
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>Within a bucket, peers are kept least recently seen first. Any sign of life ({@link #add}
 *       of a known peer, a check that answered) moves a peer to the back.
 *   <li>A full bucket does not evict blindly (Kademlia paper §2.2: old live peers are the most
 *       likely to stay up). {@link #add} answers {@link AddStatus#CHECK_NEEDED} with the least
 *       recently seen peer; the driver pings it and reports with {@link #handleCheckResult}, or the
 *       check times out at {@link #pollTimeout} and {@link #handleTimeout} counts it dead. Dead:
 *       the new peer takes its place. Alive: the new peer is dropped.
 *   <li>One check per bucket at a time, with one waiting peer. A newer peer arriving meanwhile
 *       replaces the waiting one (the most recently seen is the likelier to be up), counted.
 *   <li>Bounded: at most 256 × {@code bucketSize} entries, 256 checks, 256 waiting peers; each
 *       entry has at most {@link KadPeer#MAX_ADDRS} addresses.
 * </ol>
 *
 * <p>Discrepancies: the spec's table unfolds lazily from one bucket; this one has the 256 buckets
 * indexed by common prefix length from the start (allocated on first use). Both hold the same
 * peers: the unfolded table only ever splits its nearest bucket, which then becomes these. Callers
 * decide who may enter (the spec: only peers that speak the protocol in server mode).
 *
 * <p>Parts (package-private, one file each): {@code KBucket} and {@code TableEntry} hold the peers,
 * {@code BucketChecks} keeps the checks of rules 2 and 3, {@code ClosestEntries} picks the answer
 * of {@link #closest}.
 */
public final class RoutingTable {
  /** The spec's replication parameter and bucket size. */
  public static final int K = 20;

  /** What {@link #add} did. */
  public enum AddStatus {
    /** A new peer, in a bucket with room. */
    ADDED,
    /** A known peer: moved to the back of its bucket, its addresses updated when given. */
    REFRESHED,
    /** The bucket is full: ping {@link AddResult#toCheck()}; the new peer waits on the answer. */
    CHECK_NEEDED,
    /** The bucket is full and a check is already under way: the new peer waits on it instead. */
    WAITING,
    /** Our own ID: never in our table. */
    SELF,
  }

  /**
   * What {@link #add} did, and whom to ping.
   *
   * @param toCheck for {@link AddStatus#CHECK_NEEDED}, the least recently seen peer to ping
   */
  public record AddResult(AddStatus status, Optional<KadPeer> toCheck) {
    static AddResult of(AddStatus status) {
      return new AddResult(status, Optional.empty());
    }
  }

  private final PeerId self;
  private final KadKey selfKey;
  private final int bucketSize;
  private final BucketChecks checks;
  private final KBucket[] buckets = new KBucket[KadKey.BITS];

  /** One past the deepest bucket allocated: the scans for checks stop there, not at 256. */
  private int bucketsInUse;

  private final boolean[] refreshed = new boolean[KadKey.BITS];
  private final long[] refreshedNanos = new long[KadKey.BITS];
  private int size;

  /**
   * @param bucketSize k, {@link #K} in the public DHT
   * @param checkTimeoutNanos how long a check of a least recently seen peer may take before it
   *     counts as dead
   */
  public RoutingTable(PeerId self, int bucketSize, long checkTimeoutNanos) {
    if (bucketSize < 1 || checkTimeoutNanos <= 0) {
      throw new IllegalArgumentException("bucket size and check timeout must be positive");
    }
    this.self = self;
    this.selfKey = KadKey.of(self);
    this.bucketSize = bucketSize;
    this.checks = new BucketChecks(checkTimeoutNanos);
  }

  public PeerId self() {
    return self;
  }

  public KadKey selfKey() {
    return selfKey;
  }

  public int size() {
    return size;
  }

  /** The number of peers in bucket {@code cpl}. */
  public int bucketSize(int cpl) {
    KBucket b = buckets[cpl];
    return b == null ? 0 : b.entries.size();
  }

  // ---------------------------------------------------------------- inputs

  /**
   * A peer that speaks the DHT was seen alive at {@code nowNanos} (it answered, or asked us as a
   * server). Empty {@code peer.addrs()} keep the addresses already known.
   */
  public AddResult add(KadPeer peer, long nowNanos) {
    if (peer.id().equals(self)) {
      return AddResult.of(AddStatus.SELF);
    }
    KBucket b = bucketFor(peer.id());
    TableEntry e = b.entries.get(peer.id());
    if (e != null) {
      if (!peer.addrs().isEmpty()) {
        e.peer = peer;
      }
      e.lastSeenNanos = nowNanos;
      b.touch(peer.id(), e);
      if (peer.id().equals(b.checking)) {
        checks.end(b, true, nowNanos);
      }
      return AddResult.of(AddStatus.REFRESHED);
    }
    if (b.entries.size() < bucketSize) {
      b.entries.put(peer.id(), new TableEntry(peer, nowNanos));
      size++;
      return AddResult.of(AddStatus.ADDED);
    }
    if (b.checking != null) {
      checks.waitOn(b, peer);
      return AddResult.of(AddStatus.WAITING);
    }
    return new AddResult(AddStatus.CHECK_NEEDED, Optional.of(checks.start(b, peer, nowNanos)));
  }

  /**
   * The answer to a check that {@link #add} asked for. Alive: {@code checked} moves to the back and
   * the waiting peer is dropped. Dead: {@code checked} leaves and the waiting peer enters.
   *
   * @return false if no check of {@code checked} was under way (a late answer): nothing changes
   */
  public boolean handleCheckResult(PeerId checked, boolean alive, long nowNanos) {
    if (checked.equals(self)) {
      return false;
    }
    KBucket b = bucketFor(checked);
    if (!checked.equals(b.checking)) {
      return false;
    }
    checks.end(b, alive, nowNanos);
    return true;
  }

  /** Checks past their deadline count as dead. */
  public void handleTimeout(long nowNanos) {
    checks.handleTimeout(buckets, bucketsInUse, nowNanos);
  }

  /**
   * Removes a peer (e.g. it stopped speaking the protocol). A waiting peer takes a freed place; a
   * waiting peer removed no longer waits.
   *
   * @return whether it was in the table (a waiting peer is not)
   */
  public boolean remove(PeerId peer, long nowNanos) {
    if (peer.equals(self)) {
      return false;
    }
    KBucket b = bucketFor(peer);
    if (peer.equals(b.checking)) {
      checks.end(b, false, nowNanos);
      return true;
    }
    if (b.waiting != null && peer.equals(b.waiting.id())) {
      // Nobody waits for the check any more: it ends, and the checked peer stays whatever it says.
      checks.abandon(b);
      return false;
    }
    if (b.entries.remove(peer) == null) {
      return false;
    }
    size--;
    if (b.checking != null) {
      // Room now: the waiting peer needs no eviction, and the checked one may stay either way.
      checks.admitWaiting(b, nowNanos);
      size++;
    }
    return true;
  }

  /**
   * A lookup for {@code target} ended: the bucket {@code target} falls in counts as refreshed
   * (Kademlia paper §2.3: a bucket that saw no lookup in an interval is refreshed by one).
   */
  public void markRefreshed(KadKey target, long nowNanos) {
    int cpl = selfKey.commonPrefixLength(target);
    if (cpl < KadKey.BITS) {
      refreshed[cpl] = true;
      refreshedNanos[cpl] = nowNanos;
    }
  }

  // ---------------------------------------------------------------- outputs and queries

  /**
   * The buckets due for a refresh lookup: from 0 to the deepest non-empty one, those that saw no
   * lookup ({@link #markRefreshed}) in the last {@code intervalNanos}. For each, the driver looks
   * up a random key that falls in the bucket (the DHT: a FIND_NODE of a random peer ID whose key
   * has the bucket's prefix, {@code BucketRefresh}). Deeper buckets are left out: random keys there
   * find the same few neighbours that the self lookup at start finds.
   */
  public List<Integer> bucketsToRefresh(long nowNanos, long intervalNanos) {
    int deepest = -1;
    for (int cpl = 0; cpl < KadKey.BITS; cpl++) {
      if (bucketSize(cpl) > 0) {
        deepest = cpl;
      }
    }
    List<Integer> due = new ArrayList<>();
    for (int cpl = 0; cpl <= deepest; cpl++) {
      if (!refreshed[cpl] || nowNanos - refreshedNanos[cpl] >= intervalNanos) {
        due.add(cpl);
      }
    }
    return due;
  }

  /** The earliest deadline of a check under way, for {@link #handleTimeout}. */
  public OptionalLong pollTimeout() {
    return checks.pollTimeout(buckets, bucketsInUse);
  }

  /**
   * The {@code n} peers closest to {@code target}, closest first (a FIND_NODE answer, a lookup's
   * seeds). Peers waiting on a check are not included: they are not in the table yet.
   */
  public List<KadPeer> closest(KadKey target, int n) {
    if (n <= 0) {
      return List.of();
    }
    // Buckets fall in groups strictly ordered by distance to the target, where c is the target's
    // common prefix length with us: bucket c (sharing more than c bits with the target), then
    // buckets above c together (exactly c bits), then c - 1, c - 2, ... 0 (exactly i bits). Only
    // the groups that make up the first n are read and sorted, not the whole table.
    int c = selfKey.commonPrefixLength(target);
    ClosestEntries picked = new ClosestEntries(target, Math.min(n, size));
    if (c < KadKey.BITS) {
      addBucket(picked, c);
      if (picked.considered < n) {
        for (int i = c + 1; i < bucketsInUse; i++) {
          addBucket(picked, i); // one group: read whole, its members are not ordered by bucket
        }
      }
    }
    for (int i = Math.min(c, KadKey.BITS) - 1; i >= 0 && picked.considered < n; i--) {
      addBucket(picked, i);
    }
    List<KadPeer> out = new ArrayList<>(picked.size);
    for (int i = 0; i < picked.size; i++) {
      out.add(picked.best[i].peer);
    }
    return out;
  }

  private void addBucket(ClosestEntries into, int cpl) {
    KBucket b = buckets[cpl];
    if (b != null) {
      for (TableEntry e : b.entries.values()) {
        into.offer(e);
      }
    }
  }

  public Optional<KadPeer> find(PeerId peer) {
    if (peer.equals(self)) {
      return Optional.empty();
    }
    TableEntry e = bucketFor(peer).entries.get(peer);
    return e == null ? Optional.empty() : Optional.of(e.peer);
  }

  /**
   * The peer waiting to take {@code checked}'s place, while a check of {@code checked} is under
   * way: it enters if the check fails.
   */
  public Optional<KadPeer> waitingOn(PeerId checked) {
    if (checked.equals(self)) {
      return Optional.empty();
    }
    KBucket b = bucketFor(checked);
    return checked.equals(b.checking) ? Optional.of(b.waiting) : Optional.empty();
  }

  /** When {@code peer} was last seen alive, if it is in the table. */
  public OptionalLong lastSeenNanos(PeerId peer) {
    if (peer.equals(self)) {
      return OptionalLong.empty();
    }
    TableEntry e = bucketFor(peer).entries.get(peer);
    return e == null ? OptionalLong.empty() : OptionalLong.of(e.lastSeenNanos);
  }

  /** Every peer in the table, bucket by bucket, least recently seen first within a bucket. */
  public List<KadPeer> peers() {
    List<KadPeer> out = new ArrayList<>(size);
    for (KBucket b : buckets) {
      if (b != null) {
        for (Iterator<TableEntry> it = b.entries.values().iterator(); it.hasNext(); ) {
          out.add(it.next().peer);
        }
      }
    }
    return out;
  }

  public long checksStarted() {
    return checks.started();
  }

  /** Checks that found the old peer dead (answered so, or timed out): each an eviction. */
  public long checksFailed() {
    return checks.failed();
  }

  /** Waiting peers dropped because the checked peer was alive. */
  public long waitingDropped() {
    return checks.waitingDropped();
  }

  /** Waiting peers displaced by a newer one while a check was under way. */
  public long waitingReplaced() {
    return checks.waitingReplaced();
  }

  private KBucket bucketFor(PeerId peer) {
    int cpl = selfKey.commonPrefixLength(KadKey.of(peer));
    if (cpl == KadKey.BITS) {
      // Another peer ID hashing to our key: a SHA-256 collision, not a case to handle.
      throw new IllegalStateException(peer + " has our Kademlia key");
    }
    KBucket b = buckets[cpl];
    if (b == null) {
      b = new KBucket();
      buckets[cpl] = b;
      bucketsInUse = Math.max(bucketsInUse, cpl + 1);
    }
    return b;
  }
}
