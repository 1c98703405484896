package org.grapevine.node.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.storage.PostStore;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;

/**
 * The node core's extended circle ({@link Circle}) over its store: the follow sets of the followed
 * identities, kept up to date entry by entry; the members, recomputed when they may have changed;
 * and the budgets at ingestion ({@link Engine.KeepPolicy}), with what they refused counted. Same
 * confinement as the core (the engine runs on the core's thread).
 */
final class CircleState implements Engine.KeepPolicy {
  private final PostStore store;
  private final Identity own;
  private final NodeConfig.Circle config;

  /** Whom each followed identity (not this node's own) follows. Bounded by the follows. */
  private final Map<Identity, FollowDecisions> followSets = new HashMap<>();

  /**
   * Followed identities whose held logs are still to be walked (those followed at start): at most
   * {@link #WALKS_PER_REFRESH} per recomputation, so that a node following many does not spend its
   * start reading every followed log on the storage thread before anything else.
   */
  private final Set<Identity> toWalk = new LinkedHashSet<>();

  static final int WALKS_PER_REFRESH = 32;

  private List<Circle.Member> members = List.of();
  private Set<Identity> memberSet = Set.of();

  /** The members sync fetches, in key order (what a session offers, with the follows). */
  private SortedSet<Identity> fetched = new TreeSet<>();

  /** The same members in circle order, most followed first (what the DHT looks up first). */
  private List<Identity> fetchedInOrder = List.of();

  /**
   * Content bytes all members hold: read from the store at each recomputation, and raised by what
   * {@link #keeps} lets through in between (a content fill that finds the entry filled meanwhile
   * leaves it a little high until the next one: it errs towards refusing).
   */
  private long heldTotal;

  /**
   * Members whose content {@link #keeps} refused, with what they held then: full (not fetched)
   * until they hold less (a delete freed room). Bounded by the members.
   */
  private final Map<Identity, Long> full = new HashMap<>();

  private boolean dirty = true;
  private long refusedEntries;
  private long refusedBytes;

  CircleState(PostStore store, Identity own, NodeConfig.Circle config) {
    this.store = store;
    this.own = own;
    this.config = config;
  }

  /** {@code followed} is followed now: one walk of its held logs. */
  void followed(Identity followed) {
    toWalk.remove(followed);
    if (!followed.equals(own)) {
      followSets.put(followed, FollowDecisions.walk(store, followed));
    }
    dirty = true;
  }

  /** {@code followed} was followed when the node started: walked at a coming {@link #refresh}. */
  void followedAtStart(Identity followed) {
    if (!followed.equals(own)) {
      toWalk.add(followed);
      dirty = true;
    }
  }

  void unfollowed(Identity unfollowed) {
    toWalk.remove(unfollowed);
    followSets.remove(unfollowed);
    dirty = true;
  }

  /**
   * An entry was stored: a follow or unfollow of a followed identity updates its follow set (no
   * walk) and marks the circle for recomputation at the next {@link #refresh}.
   */
  void stored(LogEntry e) {
    ContentKind k = e.header().kind();
    if (k != ContentKind.FOLLOW && k != ContentKind.UNFOLLOW) {
      return;
    }
    FollowDecisions of = followSets.get(e.header().identity());
    if (of != null) {
      of.apply(e);
      dirty = true;
    }
  }

  boolean dirty() {
    return dirty;
  }

  /**
   * Recomputes the members (their held bytes read from the store, blocks and mutes too). Returns
   * the identities sync fetches now and did not before: the caller syncs for them.
   */
  List<Identity> refresh() {
    Iterator<Identity> walk = toWalk.iterator();
    for (int i = 0; i < WALKS_PER_REFRESH && walk.hasNext(); i++) {
      Identity next = walk.next();
      walk.remove();
      followSets.put(next, FollowDecisions.walk(store, next));
    }
    dirty = !toWalk.isEmpty(); // The rest at the next timer.
    Set<Identity> follows = store.follows();
    // Full until it holds less than when it was refused (a delete freed room).
    full.entrySet().removeIf(e -> store.storedBytes(e.getKey()) < e.getValue());
    members =
        Circle.of(
            own,
            follows,
            toSets(),
            i -> store.isBlocked(i) || store.isMuted(i),
            store::storedBytes,
            full::containsKey,
            config);
    Set<Identity> ids = new HashSet<>();
    SortedSet<Identity> nowFetched = new TreeSet<>();
    List<Identity> inOrder = new ArrayList<>();
    long total = 0;
    for (Circle.Member m : members) {
      ids.add(m.identity());
      total += m.heldBytes();
      if (m.fetched()) {
        nowFetched.add(m.identity());
        inOrder.add(m.identity());
      }
    }
    List<Identity> added = new ArrayList<>();
    for (Identity i : nowFetched) {
      if (!fetched.contains(i)) {
        added.add(i);
      }
    }
    full.keySet().retainAll(ids); // Forgotten once not a member.
    memberSet = ids;
    fetched = nowFetched;
    fetchedInOrder = List.copyOf(inOrder);
    heldTotal = total;
    return added;
  }

  /** The members sync fetches, in key order. */
  SortedSet<Identity> fetched() {
    return fetched;
  }

  /** The members sync fetches, in circle order (most followed by our follows first). */
  List<Identity> fetchedInOrder() {
    return fetchedInOrder;
  }

  /**
   * Content of a member within the node's quota is kept only within the circle's budgets ({@link
   * Circle#keeps}); what is refused is counted. Identities outside the circle (followed ones, and
   * others a sync or an addressed entry brings) are not the circle's to limit.
   */
  @Override
  public boolean keeps(Identity identity, long heldBytes, long contentBytes) {
    if (!memberSet.contains(identity)) {
      return true;
    }
    if (Circle.keeps(config, heldBytes, heldTotal, contentBytes)) {
      heldTotal += contentBytes;
      return true;
    }
    refusedEntries++;
    refusedBytes += contentBytes;
    full.put(identity, heldBytes);
    dirty = true; // At its budget: not fetched from the next recomputation on.
    return false;
  }

  CircleStatus status() {
    return new CircleStatus(config, members, heldTotal, refusedEntries, refusedBytes, 0, 0);
  }

  private Map<Identity, Set<Identity>> toSets() {
    Map<Identity, Set<Identity>> out = new HashMap<>();
    followSets.forEach((who, d) -> out.put(who, d.follows()));
    return out;
  }
}
