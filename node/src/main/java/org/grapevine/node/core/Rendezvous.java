package org.grapevine.node.core;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.grapevine.libp2p.gossipsub.GossipRouter;
import org.grapevine.libp2p.kad.Dht;
import org.grapevine.libp2p.kad.DhtEvent;
import org.grapevine.libp2p.kad.DhtRequest;
import org.grapevine.libp2p.kad.KadMessage;
import org.grapevine.libp2p.kad.KadPeer;
import org.grapevine.libp2p.kad.KadServer;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.protocol.topic.TopicCid;

/**
 * Topic rendezvous over the DHT (docs/ARCHITECTURE.md, "Finding the peers of a topic"): a node
 * provides the topics it subscribes to, and looks up the providers of a followed topic that has too
 * few connected subscribers, keeping those it finds connected as topic peers; GossipSub then forms
 * the topic's mesh over them, and sync fetches the history from them. Part of the {@link NodeCore}
 * (so the node and the simulator run the same rendezvous), sans-I/O, on the core's thread.
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>Our own identity's topic is always provided; a followed one only with {@link
 *       RendezvousConfig#announceFollows}. The key is {@link TopicCid#providerKey}. The {@link Dht}
 *       republishes on the spec's schedule until the topic is left.
 *   <li>A followed topic is looked up at once when followed (and at start), and then whenever a
 *       check ({@link RendezvousConfig#checkIntervalNanos}) finds fewer connected subscribers than
 *       {@link RendezvousConfig#targetTopicPeers}, at most one lookup per topic at a time, spaced
 *       by a backoff that doubles while lookups find nobody new (up to its cap) and resets when one
 *       does. Our own topic is looked up by the same rule. Its followers normally find us, but a
 *       follower stops looking once it has enough connected subscribers, and those may all be other
 *       followers: when all start at once, the followers' first lookups can end before our first
 *       announcement is stored, so they find each other and never us (in a 1,000-node run, two
 *       authors' posts reached none of their 33 followers so). Our own lookup finds the followers
 *       that announce the topic ({@link RendezvousConfig#announceFollows}).
 *   <li>Each provider found is kept as a topic peer ({@link CoreCommand.KeepTopicPeer}), at most
 *       {@link RendezvousConfig#maxTopicPeersPerTopic} per topic. When a topic is short and full,
 *       the kept peers that do not subscribe to it (gone, or a stale record) are released first.
 *       Leaving a topic releases its peers ({@link CoreCommand.ReleaseTopicPeer}) unless another
 *       topic keeps them.
 *   <li>Lookups wait for a routing table: while it is empty, nothing is asked; the first peer that
 *       enters it starts the DHT's bootstrap, announces every provided topic again (an announcement
 *       made with an empty table reached nobody) and runs a check at once. An announcement that no
 *       peer took is made again at the next check after the lookup backoff, not a day later.
 *   <li>Own addressed messages (issue 15) waiting for a subscriber of an addressee topic we do not
 *       follow ({@link AddressedOutbox}) start a lookup of the providers of the addressee's
 *       identity topic: the addressee provides it, and so do its followers that announce their
 *       follows, and all of them subscribe to its addressee topic. At most {@link #REACH_PEERS} of
 *       them are kept as topic peers, and released once the messages are sent ({@link #reached}); a
 *       lookup after which nobody subscribed in time is made again after the lookup backoff
 *       (doubling), with fresh peers. At most {@link #MAX_REACH_LOOKUPS} run at once.
 *   <li>The extended circle's fetched members ({@link #circle}, issue 17): the identity topics of
 *       the first {@link RendezvousConfig#maxCircleTopics} of them (in circle order, followed
 *       topics left out) are looked up by rule 2's rules and backoff, with their own budget: they
 *       do not count against {@link RendezvousConfig#maxFollowedTopics}, at most {@link
 *       #MAX_CIRCLE_LOOKUPS} run at once (the others start as those end, or at a check), a topic is
 *       short below {@link #CIRCLE_TARGET_PEERS} connected subscribers (sync needs one peer that
 *       holds the log, not a mesh) and keeps at most {@link #CIRCLE_PEERS} providers (rule 3's
 *       release rules). They are never announced (we do not subscribe to them: the node core's
 *       {@code enableCircle}). A member that leaves the circle, or is no longer fetched, is no
 *       longer looked up and its peers are released; a member we follow becomes a followed topic
 *       with its peers, and comes back at the next {@link #circle} after an unfollow. A kept peer
 *       announces its subscription to the member's topic to our router, which syncs the log from it
 *       ({@code SyncPlanner}).
 * </ol>
 */
public final class Rendezvous {
  /** What the core's GossipSub router knows of a topic's connected subscribers. */
  interface TopicView {
    int connectedSubscribers(String topic);

    boolean subscribes(PeerId peer, String topic);

    static TopicView of(GossipRouter router) {
      return new TopicView() {
        @Override
        public int connectedSubscribers(String topic) {
          return router.topicPeers(topic).size();
        }

        @Override
        public boolean subscribes(PeerId peer, String topic) {
          return router.subscribes(peer, topic);
        }
      };
    }
  }

  private static final class Topic {
    final byte[] key;
    final boolean own;

    /** A circle member's topic (rule 6), not a followed one. */
    boolean circle;

    boolean providing;
    boolean reprovide;
    long reprovideAt;
    long query = -1;
    long nextLookupAt;
    long backoff;
    final Set<PeerId> peers = new HashSet<>();
    boolean foundNew;

    Topic(byte[] key, boolean own, boolean circle, long now, long backoff) {
      this.key = key;
      this.own = own;
      this.circle = circle;
      this.nextLookupAt = now;
      this.backoff = backoff;
    }
  }

  /**
   * A lookup of an addressee's peers while own addressed messages wait for one (rule 5): keyed by
   * the addressee topic, looking up the providers of the addressee's identity topic.
   */
  private static final class Reach {
    final byte[] key;
    long query = -1;
    long nextLookupAt;
    long backoff;
    final Set<PeerId> peers = new HashSet<>();

    Reach(byte[] key, long now, long backoff) {
      this.key = key;
      this.nextLookupAt = now;
      this.backoff = backoff;
    }
  }

  /** The most providers kept for one addressee topic: the first to subscribe takes the messages. */
  static final int REACH_PEERS = 3;

  /** The most addressee lookups running at once; the others wait for a check. */
  static final int MAX_REACH_LOOKUPS = 8;

  /** The most circle lookups running at once (rule 6). */
  static final int MAX_CIRCLE_LOOKUPS = 4;

  /** A circle topic with fewer connected subscribers is short: one peer to sync the log from. */
  static final int CIRCLE_TARGET_PEERS = 1;

  /**
   * The most providers kept for one circle topic: one more than the target, so that a stale record
   * found first does not leave the member without a peer until the next lookup.
   */
  static final int CIRCLE_PEERS = 2;

  private final Dht dht;
  private final RendezvousConfig config;
  private final TopicView view;
  private final CoreOutputs out;
  private final Map<String, Topic> topics = new LinkedHashMap<>();
  private final Map<Long, String> queries = new HashMap<>();
  private final Map<Long, String> announcements = new HashMap<>();
  private final Map<String, Reach> reaches = new LinkedHashMap<>();
  private final Map<Long, String> reachQueries = new HashMap<>();
  private final MediaProviding media = new MediaProviding();
  private long nextCheck;
  private long providersIgnored;

  Rendezvous(Dht dht, RendezvousConfig config, TopicView view, CoreOutputs out, long nowNanos) {
    this.dht = dht;
    this.config = config;
    this.view = view;
    this.out = out;
    this.nextCheck = nowNanos + config.checkIntervalNanos();
  }

  // ------------------------------------------------------------------------------- topics

  /**
   * The router subscribed to {@code topic}: {@code own} for our identity's. A circle topic becomes
   * a followed one, keeping its peers (rule 6), or is dropped when the followed topics are at
   * {@link RendezvousConfig#maxFollowedTopics}.
   */
  void subscribed(String topic, boolean own, long nowNanos) {
    Topic t = topics.get(topic);
    if (t != null && !t.circle) {
      return;
    }
    if (!own && lookedUp() >= config.maxFollowedTopics()) {
      if (t != null) {
        dropCircle(topic, t); // Followed now, beyond the budget of followed topics.
        drain(nowNanos);
      }
      return;
    }
    if (t != null) {
      t.circle = false; // A member we follow now: its peers and lookup carry over (rule 6).
    } else {
      t = new Topic(TopicCid.providerKey(topic), own, false, nowNanos, config.lookupBackoffNanos());
      topics.put(topic, t);
    }
    if (own || config.announceFollows()) {
      t.providing = true;
      announce(topic, t, nowNanos);
    }
    lookUpIfShort(topic, t, nowNanos);
    drain(nowNanos);
  }

  /** The router left {@code topic}: stop providing it and release its peers. */
  void unsubscribed(String topic, long nowNanos) {
    Topic t = topics.remove(topic);
    if (t == null) {
      return;
    }
    if (t.providing) {
      dht.stopProviding(t.key, nowNanos);
    }
    releaseAll(t);
    drain(nowNanos);
  }

  /**
   * The identity topics of the extended circle's fetched members, in circle order (rule 6): the
   * first {@link RendezvousConfig#maxCircleTopics} that are not followed are looked up; those no
   * longer among them stop being looked up and their peers are released.
   */
  void circle(Collection<String> memberTopics, long nowNanos) {
    Set<String> wanted = new LinkedHashSet<>();
    for (String topic : memberTopics) {
      if (wanted.size() >= config.maxCircleTopics()) {
        break;
      }
      Topic t = topics.get(topic);
      if (t == null || t.circle) {
        wanted.add(topic);
      }
    }
    for (Iterator<Map.Entry<String, Topic>> it = topics.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Topic> e = it.next();
      if (e.getValue().circle && !wanted.contains(e.getKey())) {
        it.remove();
        releaseAll(e.getValue());
      }
    }
    for (String topic : wanted) {
      if (!topics.containsKey(topic)) {
        Topic t =
            new Topic(
                TopicCid.providerKey(topic), false, true, nowNanos, config.lookupBackoffNanos());
        topics.put(topic, t);
        lookUpIfShort(topic, t, nowNanos);
      }
    }
    drain(nowNanos);
  }

  private void dropCircle(String topic, Topic t) {
    topics.remove(topic);
    releaseAll(t);
  }

  /** Releases the peers of {@code t}, removed from {@link #topics}, that nothing else keeps. */
  private void releaseAll(Topic t) {
    for (PeerId p : t.peers) {
      release(p);
    }
  }

  /**
   * Own addressed messages wait for a subscriber of addressee topic {@code to}, the addressee topic
   * of identity topic {@code identityTopic}: look up the identity topic's providers (the addressee
   * and its announcing followers, who all subscribe to {@code to}) and keep some connected until
   * {@link #reached} (rule 5).
   */
  void reach(String identityTopic, String to, long nowNanos) {
    if (reaches.containsKey(to)) {
      return;
    }
    Reach r = new Reach(TopicCid.providerKey(identityTopic), nowNanos, config.lookupBackoffNanos());
    reaches.put(to, r);
    lookUpReach(to, r, nowNanos);
    drain(nowNanos);
  }

  /** Nothing waits for addressee topic {@code to} any more: its peers are released. */
  void reached(String to, long nowNanos) {
    Reach r = reaches.remove(to);
    if (r == null) {
      return;
    }
    if (r.query >= 0) {
      reachQueries.remove(r.query);
    }
    for (PeerId p : r.peers) {
      release(p);
    }
    drain(nowNanos);
  }

  private void lookUpReach(String to, Reach r, long nowNanos) {
    if (r.query >= 0
        || dht.routingTableSize() == 0
        || nowNanos - r.nextLookupAt < 0
        || reachQueries.size() >= MAX_REACH_LOOKUPS) {
      return;
    }
    // The peers of the last lookup did not subscribe in time (gone, stale records): make room.
    for (PeerId p : r.peers) {
      release(p);
    }
    r.peers.clear();
    r.query = dht.findProviders(r.key, config.maxTopicPeersPerTopic(), nowNanos);
    reachQueries.put(r.query, to);
  }

  /** Followed topics looked up (rule 2's budget): our own and circle topics are not counted. */
  private long lookedUp() {
    return topics.values().stream().filter(t -> !t.own && !t.circle).count();
  }

  private int circleLookups() {
    int n = 0;
    for (Topic t : topics.values()) {
      if (t.circle && t.query >= 0) {
        n++;
      }
    }
    return n;
  }

  // ------------------------------------------------------------------------------- media

  /**
   * The node holds the file whose root CID has multihash {@code key} whole: provide it ({@link
   * MediaProviding}: the newest {@link MediaProviding#MAX_PROVIDED} are).
   */
  public void provideMedia(byte[] key, long nowNanos) {
    media.provide(dht, key, nowNanos);
    drain(nowNanos);
  }

  /** The file of {@code key} was collected: no longer provided. */
  public void stopProvidingMedia(byte[] key, long nowNanos) {
    media.stop(dht, key, nowNanos);
    drain(nowNanos);
  }

  /**
   * Looks up a few providers of the file of {@code key}; the answer is a {@link
   * CoreEvent.MediaProviders} carrying {@code token}.
   */
  public void findMediaProviders(byte[] key, long token, long nowNanos) {
    media.find(dht, key, token, nowNanos, out);
    drain(nowNanos);
  }

  /** Media keys provided now. */
  public int mediaProvided() {
    return media.provided();
  }

  /** Whether the media key {@code key} is provided (for tests). */
  boolean providingMedia(byte[] key) {
    return media.providing(key);
  }

  // ----------------------------------------------------------------------- network inputs

  /**
   * Identify told what {@code peer} listens on and whether it serves the DHT ({@code dhtServer}: it
   * lists the DHT protocol); only such peers enter the routing table.
   */
  public void handlePeerIdentified(
      PeerId peer, List<Multiaddr> addrs, boolean dhtServer, long nowNanos) {
    int before = dht.routingTableSize();
    dht.handlePeerIdentified(peer, addrs, dhtServer, nowNanos);
    if (before == 0 && dht.routingTableSize() > 0) {
      dht.bootstrap(nowNanos);
      topics.forEach(
          (topic, t) -> {
            if (t.providing) {
              announce(topic, t, nowNanos);
            }
          });
      media.announceAll(dht, nowNanos);
      nextCheck = nowNanos; // Topics waiting for a table are looked up now.
      check(nowNanos);
    }
    drain(nowNanos);
  }

  void handlePeerDisconnected(PeerId peer, long nowNanos) {
    dht.handlePeerDisconnected(peer, nowNanos);
    drain(nowNanos);
  }

  /** DHT peers known before (the persisted routing table, bootstrap peers). */
  public void handleSeed(List<KadPeer> peers, long nowNanos) {
    dht.handleSeed(peers, nowNanos);
    drain(nowNanos);
  }

  /** Our own dialable addresses, for the provider records we announce. */
  public void handleOwnAddrs(List<Multiaddr> addrs) {
    dht.handleOwnAddrs(addrs);
  }

  /**
   * Our dialable addresses changed while running (a relay reservation was made or lost, AutoNAT
   * found a public address): the topics we announce are announced again with them, or those who
   * look us up would be given addresses that no longer reach us.
   */
  public void handleOwnAddrsChanged(List<Multiaddr> addrs, long nowNanos) {
    dht.handleOwnAddrs(addrs);
    dht.reannounce(nowNanos);
    drain(nowNanos);
  }

  /** A DHT request from {@code from}: the answer to write (a refusal: reset the stream). */
  public KadServer.Reply handleRequest(PeerId from, KadMessage request, long nowNanos) {
    KadServer.Reply reply = dht.handleRequest(from, request, nowNanos);
    drain(nowNanos);
    return reply;
  }

  /**
   * The answer to {@link CoreCommand.SendDht} {@code requestId} (null for ADD_PROVIDER, once sent).
   */
  public void handleResponse(long requestId, KadMessage response, long nowNanos) {
    dht.handleResponse(requestId, response, nowNanos);
    drain(nowNanos);
  }

  /** {@link CoreCommand.SendDht} {@code requestId} failed: {@code why}. */
  public void handleFailure(long requestId, String why, long nowNanos) {
    dht.handleFailure(requestId, why, nowNanos);
    drain(nowNanos);
  }

  // ------------------------------------------------------------------------------ timers

  void timeout(long nowNanos) {
    dht.handleTimeout(nowNanos);
    if (nowNanos - nextCheck >= 0) {
      check(nowNanos);
    }
    drain(nowNanos);
  }

  long nextDeadline() {
    var d = dht.pollTimeout();
    return d.isPresent() && d.getAsLong() - nextCheck < 0 ? d.getAsLong() : nextCheck;
  }

  private void announce(String topic, Topic t, long nowNanos) {
    t.reprovide = false;
    announcements.put(dht.startProviding(t.key, nowNanos), topic);
  }

  private void check(long nowNanos) {
    nextCheck = nowNanos + config.checkIntervalNanos();
    for (Map.Entry<String, Topic> e : topics.entrySet()) {
      Topic t = e.getValue();
      if (t.providing
          && t.reprovide
          && nowNanos - t.reprovideAt >= 0
          && dht.routingTableSize() > 0) {
        announce(e.getKey(), t, nowNanos);
      }
      lookUpIfShort(e.getKey(), e.getValue(), nowNanos);
    }
    reaches.forEach((to, r) -> lookUpReach(to, r, nowNanos));
  }

  private void lookUpIfShort(String topic, Topic t, long nowNanos) {
    if (t.query >= 0
        || dht.routingTableSize() == 0
        || nowNanos - t.nextLookupAt < 0
        || (t.circle && circleLookups() >= MAX_CIRCLE_LOOKUPS)) {
      return;
    }
    if (view.connectedSubscribers(topic) >= target(t)) {
      t.backoff = config.lookupBackoffNanos();
      return;
    }
    if (t.peers.size() >= maxPeers(t)) {
      // Full, yet short: those kept that do not subscribe make room (rule 3).
      for (Iterator<PeerId> it = t.peers.iterator(); it.hasNext(); ) {
        PeerId p = it.next();
        if (!view.subscribes(p, topic)) {
          it.remove();
          release(p);
        }
      }
    }
    t.foundNew = false;
    t.query = dht.findProviders(t.key, config.maxTopicPeersPerTopic(), nowNanos);
    t.nextLookupAt = nowNanos + t.backoff;
    queries.put(t.query, topic);
  }

  private int target(Topic t) {
    return t.circle ? CIRCLE_TARGET_PEERS : config.targetTopicPeers();
  }

  private int maxPeers(Topic t) {
    return t.circle ? CIRCLE_PEERS : config.maxTopicPeersPerTopic();
  }

  /** A circle lookup ended: the circle topics waiting for a free slot start (rule 6). */
  private void lookUpWaitingCircle(long nowNanos) {
    for (Map.Entry<String, Topic> e : topics.entrySet()) {
      if (circleLookups() >= MAX_CIRCLE_LOOKUPS) {
        return;
      }
      if (e.getValue().circle) {
        lookUpIfShort(e.getKey(), e.getValue(), nowNanos);
      }
    }
  }

  // ----------------------------------------------------------------------------- outputs

  private void drain(long nowNanos) {
    for (DhtRequest r = dht.pollRequest().orElse(null); r != null; ) {
      out.commands.add(new CoreCommand.SendDht(r));
      r = dht.pollRequest().orElse(null);
    }
    for (DhtEvent e = dht.pollEvent().orElse(null); e != null; ) {
      onEvent(e, nowNanos);
      for (DhtRequest r = dht.pollRequest().orElse(null); r != null; ) {
        out.commands.add(new CoreCommand.SendDht(r));
        r = dht.pollRequest().orElse(null);
      }
      e = dht.pollEvent().orElse(null);
    }
  }

  private void onEvent(DhtEvent e, long nowNanos) {
    if (media.handle(e, out)) {
      return;
    }
    if (e instanceof DhtEvent.ProviderFound f && reachQueries.containsKey(f.query())) {
      String to = reachQueries.get(f.query());
      Reach r = reaches.get(to);
      if (r.peers.size() >= REACH_PEERS) {
        providersIgnored++;
      } else if (r.peers.add(f.provider().id())) {
        out.commands.add(new CoreCommand.KeepTopicPeer(f.provider(), to));
      }
    } else if (e instanceof DhtEvent.QueryDone d && reachQueries.containsKey(d.query())) {
      String to = reachQueries.remove(d.query());
      Reach r = reaches.get(to);
      r.query = -1;
      r.nextLookupAt = nowNanos + r.backoff;
      r.backoff = Math.min(2 * r.backoff, config.maxLookupBackoffNanos());
      out.events.add(new CoreEvent.DhtQueryDone(to, d.kind(), d.providers().size(), d.stats()));
    } else if (e instanceof DhtEvent.ProviderFound f) {
      String topic = queries.get(f.query());
      Topic t = topic == null ? null : topics.get(topic);
      if (t == null || t.peers.size() >= maxPeers(t)) {
        providersIgnored++;
      } else if (t.peers.add(f.provider().id())) {
        t.foundNew = true;
        out.commands.add(new CoreCommand.KeepTopicPeer(f.provider(), topic));
      }
    } else if (e instanceof DhtEvent.QueryDone d) {
      String announced = announcements.remove(d.query());
      Topic a = announced == null ? null : topics.get(announced);
      if (a != null && a.providing && !d.stats().success()) {
        a.reprovide = true; // Nobody took it (rule 4).
        a.reprovideAt = nowNanos + config.lookupBackoffNanos();
      }
      String topic = announced != null ? announced : queries.remove(d.query());
      Topic t = topic == null ? null : topics.get(topic);
      if (t != null && t.query == d.query()) {
        t.query = -1;
        t.backoff =
            t.foundNew
                ? config.lookupBackoffNanos()
                : Math.min(2 * t.backoff, config.maxLookupBackoffNanos());
        t.nextLookupAt = nowNanos + t.backoff;
        if (t.circle) {
          lookUpWaitingCircle(nowNanos);
        }
      }
      out.events.add(new CoreEvent.DhtQueryDone(topic, d.kind(), d.providers().size(), d.stats()));
    } else if (e instanceof DhtEvent.RoutingUpdated r) {
      out.events.add(new CoreEvent.DhtRoutingUpdated(r.peer(), r.added()));
    }
  }

  private void release(PeerId peer) {
    for (Topic other : topics.values()) {
      if (other.peers.contains(peer)) {
        return;
      }
    }
    for (Reach other : reaches.values()) {
      if (other.peers.contains(peer)) {
        return;
      }
    }
    out.commands.add(new CoreCommand.ReleaseTopicPeer(peer));
  }

  // ------------------------------------------------------------------------------- reads

  /** The topic peers kept for {@code topic} (found in the DHT), for status. */
  public int topicPeers(String topic) {
    Topic t = topics.get(topic);
    return t == null ? 0 : t.peers.size();
  }

  /** Circle topics looked up now (rule 6): the first fetched members', not followed. */
  public int circleTopics() {
    int n = 0;
    for (Topic t : topics.values()) {
      if (t.circle) {
        n++;
      }
    }
    return n;
  }

  /** The topic peers kept for circle topics, all together. */
  public int circleTopicPeers() {
    int n = 0;
    for (Topic t : topics.values()) {
      if (t.circle) {
        n += t.peers.size();
      }
    }
    return n;
  }

  /** Whether {@code topic} is looked up as a circle topic (for tests). */
  boolean circleTopic(String topic) {
    Topic t = topics.get(topic);
    return t != null && t.circle;
  }

  /** Providers found when their topic was gone or full. */
  public long providersIgnored() {
    return providersIgnored;
  }

  /** The DHT, for reads (routing table, counters) and diagnostics queries. */
  public Dht dht() {
    return dht;
  }

  /** The providers kept for addressee topic {@code to} while messages wait for it. */
  public int reachPeers(String to) {
    Reach r = reaches.get(to);
    return r == null ? 0 : r.peers.size();
  }

  /** Whether a lookup runs for a topic (for tests). */
  boolean lookingUp(String topic) {
    Topic t = topics.get(topic);
    return t != null && t.query >= 0;
  }
}
