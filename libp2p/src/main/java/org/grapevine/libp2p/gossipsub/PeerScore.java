package org.grapevine.libp2p.gossipsub;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.grapevine.libp2p.peer.PeerId;

/**
 * Peer scores (gossipsub-v1.1.md "Peer Scoring"):
 *
 * <pre>
 * score = min(topicScoreCap, Σ_t topicWeight_t · (w1·P1 + w2·P2 + w3·P3 + w3b·P3b + w4·P4))
 *         + w5·P5 + w6·P6 + w7·P7
 * </pre>
 *
 * P1 time in mesh (quanta, capped), P2 first deliveries (capped), P3 mesh delivery deficit squared
 * once active, P3b sticky mesh failure penalty, P4 invalid deliveries squared, P5 application
 * score, P6 surplus of peers on one IP squared, P7 behaviour penalty excess squared. Counters decay
 * by {@link #decay}. Only scored topics ({@link PeerScoreParams#topic}) are tracked.
 *
 * <p>Message delivery records (first deliverer, duplicates while validation is pending, validation
 * outcome) feed P2, P3 and P4; they live as long as the seen cache so that late duplicates of an
 * invalid message are still charged.
 */
final class PeerScore {
  private static final class TopicStats extends ScoredTopics.Link<TopicStats> {
    boolean inMesh;
    long graftNanos;
    double firstDeliveries;
    double meshDeliveries;
    double meshFailurePenalty;
    double invalidDeliveries;

    /** In {@link #decaying}: some decaying counter is not 0. */
    boolean decaying;

    /** Its peer was forgotten ({@link #refresh}): the next decay drops it. */
    boolean forgotten;

    TopicStats(String topic) {
      super(topic);
    }
  }

  /** One peer's counters; the router keeps a connected peer's in its PeerState (no map probe). */
  static final class PeerStats {
    /**
     * Per scored topic, a {@link ScoredTopics} holder: null until the first (a large simulation
     * holds millions of PeerStats). Iterates in a HashMap's order, so the score sums the same way
     * as it always has.
     */
    Object topics;

    boolean connected = true;

    /**
     * What most peers never get (an address, an application score, a penalty, a retention
     * deadline); null until the first. A simulated router's peers have none of them, and a million
     * nodes hold twenty million PeerStats.
     */
    private Rare rare;

    /** In {@link #penalised}: behaviourPenalty is not 0. */
    boolean penalised;

    /** Removed by {@link #refresh}: the next decay drops it and its topics. */
    boolean forgotten;

    /**
     * Something of this peer's own may have made its score negative: an invalid message (P4), a
     * penalty (P7) or a negative application score (P5). Never cleared (a decayed counter may still
     * be above 0); P6 is looked at when asked. See {@link PeerScore#atLeast}.
     */
    boolean mayBeNegative;

    /** {@link #score} as of {@link PeerScore#stamp} {@code scoredStamp}; 0: none. */
    long scoredStamp;

    double scored;

    static final class Rare {
      long expireNanos;
      String ip;
      double appScore;
      double behaviourPenalty;
    }

    Rare rare() {
      if (rare == null) {
        rare = new Rare();
      }
      return rare;
    }

    long expireNanos() {
      return rare == null ? 0 : rare.expireNanos;
    }

    String ip() {
      return rare == null ? null : rare.ip;
    }

    double appScore() {
      return rare == null ? 0 : rare.appScore;
    }

    double behaviourPenalty() {
      return rare == null ? 0 : rare.behaviourPenalty;
    }
  }

  private enum Status {
    PENDING,
    VALID,
    INVALID,
    IGNORED
  }

  private static final class Delivery {
    final PeerId first;
    final String topic;
    final long expireNanos;

    /** Peers that sent a copy after the first; null until one does. */
    Set<PeerId> others;

    Status status = Status.PENDING;
    long validatedNanos;

    Delivery(PeerId first, String topic, long expireNanos) {
      this.first = first;
      this.topic = topic;
      this.expireNanos = expireNanos;
    }
  }

  private final PeerScoreParams params;
  private final long deliveryTtlNanos;

  /**
   * The counters of a connected peer: the router's (each {@code PeerState} holds its peer's), so
   * that a connection costs one map entry in the router, not one there and one here (a large
   * simulation holds millions); or {@link #connected}'s when the score is used alone.
   */
  private final Function<PeerId, PeerStats> connectedStats;

  /** Connected peers' counters when no lookup was given; null when the router holds them. */
  private final Map<PeerId, PeerStats> connected;

  /** Disconnected peers' counters, kept for retainScore until {@link #refresh} forgets them. */
  private final Map<PeerId, PeerStats> retained = new HashMap<>();

  /** Null until a peer with a known IP connects (a simulation's never do). */
  private Map<String, Set<PeerId>> peersByIp;

  private final LinkedHashMap<MessageId, Delivery> deliveries = new LinkedHashMap<>();

  /**
   * The counters {@link #decay} has work on, with their topics' parameters at the same index. A
   * counter at 0 stays 0 under decay (counters never go below 0), so only these need visiting: a
   * large simulation holds millions of stats, nearly all at 0, and decay runs every second.
   */
  private final List<TopicStats> decaying = new ArrayList<>();

  private final List<TopicScoreParams> decayingParams = new ArrayList<>();
  private final List<PeerStats> penalised = new ArrayList<>();

  /**
   * A score is computed once per stamp: a new stamp comes with a new time, with decay and with any
   * peer joining or leaving (P6 counts peers per IP); a change to one peer's counters clears only
   * its own cached score. The router asks for the same peers' scores many times in one heartbeat
   * (once per topic in whose mesh they are, and for gossip), and at the same time nothing else has
   * changed, so the cached value is the very double a new sum would give.
   */
  private long stamp = 1;

  /** The time the current stamp is for. */
  private long stampNanos = Long.MIN_VALUE;

  private final ScoredTopics.Term<TopicStats> topicTerm = this::topicScore;

  /**
   * No weight can make a score negative unless the peer itself gave cause ({@link
   * PeerStats#mayBeNegative}): every topic term's weight that multiplies a counter of honest
   * traffic (P1, P2, P3, P3b, and the topic weight) is at least 0, and P7 needs a penalty.
   */
  private final boolean onlyCauseMakesNegative;

  /** A score that holds its connected peers' counters itself. */
  PeerScore(PeerScoreParams params, long deliveryTtlNanos) {
    this(params, deliveryTtlNanos, null);
  }

  /**
   * @param connectedStats the counters {@link #addPeer} returned for each peer connected now (null
   *     for none), as the caller keeps them until {@link #removePeer}; null: kept here
   */
  PeerScore(
      PeerScoreParams params, long deliveryTtlNanos, Function<PeerId, PeerStats> connectedStats) {
    if (connectedStats == null) {
      this.connected = new HashMap<>();
      this.connectedStats = connected::get;
    } else {
      this.connected = null;
      this.connectedStats = connectedStats;
    }
    this.params = params;
    this.deliveryTtlNanos = deliveryTtlNanos;
    boolean topicsNonNegative = nonNegative(params.defaultTopic());
    for (TopicScoreParams tp : params.topics().values()) {
      topicsNonNegative &= nonNegative(tp);
    }
    this.onlyCauseMakesNegative = topicsNonNegative && params.behaviourPenaltyThreshold() >= 0;
  }

  /** P4 is left out: its counter grows only by the peer's own invalid messages. */
  private static boolean nonNegative(TopicScoreParams tp) {
    return tp == null
        || (tp.topicWeight() >= 0
            && tp.timeInMeshWeight() >= 0
            && tp.firstMessageDeliveriesWeight() >= 0
            && tp.meshMessageDeliveriesWeight() >= 0
            && tp.meshFailurePenaltyWeight() >= 0);
  }

  /**
   * The peer connected; returns its counters (kept from before when retained), for {@link
   * #score(PeerStats, long)}.
   */
  PeerStats addPeer(PeerId peer, String ip) {
    stamp++;
    PeerStats s = connectedStats.apply(peer);
    if (s == null) {
      s = retained.remove(peer);
    }
    if (s == null) {
      s = new PeerStats();
    }
    if (connected != null) {
      connected.put(peer, s);
    }
    s.connected = true;
    // This connection's address: a peer kept from before may come back from another or from none
    // (keeping the old one left removePeer looking for a set that no longer held it).
    if (ip != null || s.rare != null) {
      s.rare().ip = ip;
    }
    if (ip != null) {
      if (peersByIp == null) {
        peersByIp = new HashMap<>();
      }
      peersByIp.computeIfAbsent(ip, k -> new HashSet<>()).add(peer);
    }
    return s;
  }

  /**
   * The peer left: its mesh membership ends (P3b applies) and its score is kept for retainScore.
   */
  void removePeer(PeerId peer, long nowNanos) {
    stamp++;
    PeerStats s = connectedStats.apply(peer);
    if (s == null) {
      return;
    }
    if (connected != null) {
      connected.remove(peer);
    }
    retained.put(peer, s);
    ScoredTopics.<TopicStats>forEach(s.topics, ts -> leaveMesh(ts, ts.topic, nowNanos));
    s.connected = false;
    s.rare().expireNanos = nowNanos + params.retainScoreNanos();
    String ip = s.ip();
    if (ip != null) {
      Set<PeerId> same = peersByIp.get(ip);
      same.remove(peer);
      if (same.isEmpty()) {
        peersByIp.remove(ip);
      }
    }
  }

  double score(PeerId peer, long nowNanos) {
    PeerStats s = stats(peer);
    return s == null ? 0 : score(s, nowNanos);
  }

  /**
   * Whether {@code peer}'s score is at least {@code threshold}; see {@link #atLeast(PeerStats,
   * double, long)}.
   */
  boolean atLeast(PeerId peer, double threshold, long nowNanos) {
    PeerStats s = stats(peer);
    return s == null ? 0 >= threshold : atLeast(s, threshold, nowNanos);
  }

  /**
   * Whether the score is at least {@code threshold}, the question every threshold of the router
   * asks. A score that cannot be negative passes any threshold at or below 0 without being summed:
   * with the parameters of {@link #onlyCauseMakesNegative}, no cause of the peer's own and no
   * surplus of peers on its IP address (P6), every term is a non-negative weight times a
   * non-negative counter (the cap only lowers a positive topic sum). The answer is the one the sum
   * would give, so nothing a router decides changes; a large simulation scores millions of honest
   * peers every heartbeat.
   */
  boolean atLeast(PeerStats s, double threshold, long nowNanos) {
    if (threshold <= 0
        && onlyCauseMakesNegative
        && !s.mayBeNegative
        && (s.ip() == null || ipColocation(s) == 0)) {
      return true;
    }
    return score(s, nowNanos) >= threshold;
  }

  /**
   * The score of a peer whose counters {@link #addPeer} returned; valid while it stays connected
   * (only a disconnected peer's counters are ever dropped).
   */
  double score(PeerStats s, long nowNanos) {
    if (nowNanos != stampNanos) {
      stamp++;
      stampNanos = nowNanos;
    }
    if (s.scoredStamp != stamp) {
      s.scored = computeScore(s, nowNanos);
      s.scoredStamp = stamp;
    }
    return s.scored;
  }

  private double computeScore(PeerStats s, long nowNanos) {
    double topicSum = ScoredTopics.sum(s.topics, topicTerm, nowNanos);
    if (params.topicScoreCap() > 0 && topicSum > params.topicScoreCap()) {
      topicSum = params.topicScoreCap();
    }
    double score = topicSum + params.appSpecificWeight() * s.appScore();
    score += params.ipColocationFactorWeight() * ipColocation(s);
    double excess = s.behaviourPenalty() - params.behaviourPenaltyThreshold();
    if (excess > 0) {
      score += params.behaviourPenaltyWeight() * excess * excess;
    }
    return score;
  }

  /** One topic's weighted term of the score. */
  private double topicScore(String topic, TopicStats ts, long nowNanos) {
    TopicScoreParams tp = params.topic(topic);
    double p1 = 0;
    if (ts.inMesh) {
      // Whole quanta, as the spec counts.
      long quanta = (nowNanos - ts.graftNanos) / tp.timeInMeshQuantumNanos();
      p1 = Math.min((double) quanta, tp.timeInMeshCap());
    }
    double p3 = 0;
    if (deficitActive(ts, tp, nowNanos)) {
      double deficit = tp.meshMessageDeliveriesThreshold() - ts.meshDeliveries;
      p3 = deficit * deficit;
    }
    double p4 = ts.invalidDeliveries * ts.invalidDeliveries;
    double t =
        tp.timeInMeshWeight() * p1
            + tp.firstMessageDeliveriesWeight() * ts.firstDeliveries
            + tp.meshMessageDeliveriesWeight() * p3
            + tp.meshFailurePenaltyWeight() * ts.meshFailurePenalty
            + tp.invalidMessageDeliveriesWeight() * p4;
    return tp.topicWeight() * t;
  }

  private double ipColocation(PeerStats s) {
    String ip = s.ip();
    if (ip == null || !s.connected || params.ipColocationWhitelist().contains(ip)) {
      return 0;
    }
    Set<PeerId> same = peersByIp == null ? null : peersByIp.get(ip);
    double surplus = (same == null ? 0 : same.size()) - params.ipColocationFactorThreshold();
    return surplus > 0 ? surplus * surplus : 0;
  }

  private static boolean deficitActive(TopicStats ts, TopicScoreParams tp, long nowNanos) {
    return ts.inMesh
        && nowNanos - ts.graftNanos > tp.meshMessageDeliveriesActivationNanos()
        && ts.meshDeliveries < tp.meshMessageDeliveriesThreshold();
  }

  void graft(PeerId peer, String topic, long nowNanos) {
    TopicStats ts = topicStats(peer, topic);
    if (ts != null) {
      ts.inMesh = true;
      ts.graftNanos = nowNanos;
    }
  }

  void prune(PeerId peer, String topic, long nowNanos) {
    TopicStats ts = topicStats(peer, topic);
    if (ts != null) {
      leaveMesh(ts, topic, nowNanos);
    }
  }

  /** P3b: leaving the mesh with an active deficit makes the deficit² sticky. */
  private void leaveMesh(TopicStats ts, String topic, long nowNanos) {
    TopicScoreParams tp = params.topic(topic);
    if (ts.inMesh && deficitActive(ts, tp, nowNanos)) {
      double deficit = tp.meshMessageDeliveriesThreshold() - ts.meshDeliveries;
      ts.meshFailurePenalty += deficit * deficit;
      startDecaying(ts, tp);
    }
    ts.inMesh = false;
  }

  /** First receipt of a message from {@code peer}; validation starts. */
  void validateMessage(PeerId peer, MessageId id, String topic, long nowNanos) {
    deliveries.putIfAbsent(id, new Delivery(peer, topic, nowNanos + deliveryTtlNanos));
  }

  /** A later copy of a message we already saw. */
  void duplicateMessage(PeerId peer, MessageId id, long nowNanos) {
    Delivery d = deliveries.get(id);
    if (d == null || d.first.equals(peer)) {
      return;
    }
    if (d.others == null) {
      d.others = new HashSet<>();
    }
    if (!d.others.add(peer)) {
      return;
    }
    switch (d.status) {
      case PENDING, IGNORED -> {}
      case VALID -> {
        TopicStats ts = topicStats(peer, d.topic);
        if (ts != null
            && nowNanos - d.validatedNanos
                <= params.topic(d.topic).meshMessageDeliveriesWindowNanos()) {
          addMeshDelivery(ts, d.topic);
        }
      }
      case INVALID -> addInvalid(peer, d.topic);
    }
  }

  /**
   * ACCEPT: P2 for the first deliverer, P3 for it and for mesh peers that sent copies meanwhile.
   */
  void deliverMessage(MessageId id, long nowNanos) {
    Delivery d = deliveries.get(id);
    if (d == null || d.status != Status.PENDING) {
      return;
    }
    d.status = Status.VALID;
    d.validatedNanos = nowNanos;
    TopicStats first = topicStats(d.first, d.topic);
    if (first != null) {
      TopicScoreParams tp = params.topic(d.topic);
      first.firstDeliveries = Math.min(first.firstDeliveries + 1, tp.firstMessageDeliveriesCap());
      startDecaying(first, tp);
      addMeshDelivery(first, d.topic);
    }
    if (d.others != null) {
      for (PeerId p : d.others) {
        TopicStats ts = topicStats(p, d.topic);
        if (ts != null) {
          addMeshDelivery(ts, d.topic);
        }
      }
    }
  }

  /** REJECT: P4 for the first deliverer and every peer that sent a copy. */
  void rejectMessage(MessageId id) {
    Delivery d = deliveries.get(id);
    if (d == null || d.status != Status.PENDING) {
      return;
    }
    d.status = Status.INVALID;
    addInvalid(d.first, d.topic);
    if (d.others != null) {
      d.others.forEach(p -> addInvalid(p, d.topic));
    }
  }

  void ignoreMessage(MessageId id) {
    Delivery d = deliveries.get(id);
    if (d != null && d.status == Status.PENDING) {
      d.status = Status.IGNORED;
    }
  }

  /** P4 for a message that failed before it had an id worth recording (e.g. a bad signature). */
  void invalidMessage(PeerId peer, String topic) {
    addInvalid(peer, topic);
  }

  private void addMeshDelivery(TopicStats ts, String topic) {
    if (ts.inMesh) {
      TopicScoreParams tp = params.topic(topic);
      ts.meshDeliveries = Math.min(ts.meshDeliveries + 1, tp.meshMessageDeliveriesCap());
      startDecaying(ts, tp);
    }
  }

  private void addInvalid(PeerId peer, String topic) {
    PeerStats s = stats(peer);
    if (s != null) {
      s.mayBeNegative = true;
    }
    TopicStats ts = topicStats(peer, topic);
    if (ts != null) {
      ts.invalidDeliveries += 1;
      startDecaying(ts, params.topic(topic));
    }
  }

  /** P7: misbehaviour (GRAFT during backoff, broken IWANT promise). */
  void addPenalty(PeerId peer, int count) {
    PeerStats s = stats(peer);
    if (s != null) {
      s.scoredStamp = 0;
      s.mayBeNegative = true;
      s.rare().behaviourPenalty += count;
      if (!s.penalised && s.behaviourPenalty() != 0) {
        s.penalised = true;
        penalised.add(s);
      }
    }
  }

  void setApplicationScore(PeerId peer, double value) {
    PeerStats s = stats(peer);
    if (s != null) {
      s.scoredStamp = 0;
      s.mayBeNegative |= params.appSpecificWeight() * value < 0;
      if (value != 0 || s.rare != null) {
        s.rare().appScore = value;
      }
    }
  }

  /**
   * One decay interval: every decaying counter is multiplied by its factor, small ones become 0.
   */
  void decay() {
    stamp++;
    double zero = params.decayToZero();
    for (int i = decaying.size() - 1; i >= 0; i--) {
      TopicStats ts = decaying.get(i);
      TopicScoreParams tp = decayingParams.get(i);
      ts.firstDeliveries = decayed(ts.firstDeliveries, tp.firstMessageDeliveriesDecay(), zero);
      ts.meshDeliveries = decayed(ts.meshDeliveries, tp.meshMessageDeliveriesDecay(), zero);
      ts.meshFailurePenalty = decayed(ts.meshFailurePenalty, tp.meshFailurePenaltyDecay(), zero);
      ts.invalidDeliveries =
          decayed(ts.invalidDeliveries, tp.invalidMessageDeliveriesDecay(), zero);
      if (ts.forgotten
          || (ts.firstDeliveries == 0
              && ts.meshDeliveries == 0
              && ts.meshFailurePenalty == 0
              && ts.invalidDeliveries == 0)) {
        ts.decaying = false;
        removeAt(decaying, i);
        removeAt(decayingParams, i);
      }
    }
    for (int i = penalised.size() - 1; i >= 0; i--) {
      PeerStats s = penalised.get(i);
      PeerStats.Rare r = s.rare();
      r.behaviourPenalty = decayed(r.behaviourPenalty, params.behaviourPenaltyDecay(), zero);
      if (r.behaviourPenalty == 0 || s.forgotten) {
        s.penalised = false;
        removeAt(penalised, i);
      }
    }
  }

  /** Order does not matter to decay: the last element takes the removed one's place. */
  private static <T> void removeAt(List<T> list, int i) {
    T last = list.remove(list.size() - 1);
    if (i < list.size()) {
      list.set(i, last);
    }
  }

  private void startDecaying(TopicStats ts, TopicScoreParams tp) {
    if (!ts.decaying) {
      ts.decaying = true;
      decaying.add(ts);
      decayingParams.add(tp);
    }
  }

  private static double decayed(double value, double factor, double zero) {
    double v = value * factor;
    return v < zero ? 0 : v;
  }

  /** Forgets disconnected peers past retainScore and delivery records past their TTL. */
  void refresh(long nowNanos) {
    if (!retained.isEmpty()) {
      retained.values().removeIf(s -> s.expireNanos() - nowNanos <= 0 && forget(s));
    }
    Iterator<Delivery> it = deliveries.values().iterator();
    while (it.hasNext() && it.next().expireNanos - nowNanos <= 0) {
      it.remove();
    }
  }

  /** Marks a peer's stats for {@link #decay} to drop; true, for removeIf. */
  private boolean forget(PeerStats s) {
    s.forgotten = true;
    ScoredTopics.<TopicStats>forEach(s.topics, ts -> ts.forgotten = true);
    return true;
  }

  /** Peers whose counters are held here (tests): retained ones, and connected ones if kept here. */
  int held() {
    return retained.size() + (connected == null ? 0 : connected.size());
  }

  /** A connected or retained peer's counters, or null. */
  private PeerStats stats(PeerId peer) {
    PeerStats s = connectedStats.apply(peer);
    return s != null ? s : retained.get(peer);
  }

  private TopicStats topicStats(PeerId peer, String topic) {
    PeerStats s = stats(peer);
    if (s == null || params.topic(topic) == null) {
      return null;
    }
    s.scoredStamp = 0; // asked for to be changed
    TopicStats ts = ScoredTopics.get(s.topics, topic);
    if (ts == null) {
      ts = new TopicStats(topic);
      s.topics = ScoredTopics.add(s.topics, ts);
    }
    return ts;
  }
}
