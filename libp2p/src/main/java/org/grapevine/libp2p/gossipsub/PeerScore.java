package org.grapevine.libp2p.gossipsub;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
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
  private static final class TopicStats {
    boolean inMesh;
    long graftNanos;
    double firstDeliveries;
    double meshDeliveries;
    double meshFailurePenalty;
    double invalidDeliveries;
  }

  private static final class PeerStats {
    /**
     * Per scored topic; null until the first (created on first use: a large simulation holds
     * millions of PeerStats). Created with the same capacity and filled in the same order as an
     * eager map would be, so it iterates in the same order and the score sums the same way.
     */
    Map<String, TopicStats> topics;

    boolean connected = true;
    long expireNanos;
    String ip;
    double appScore;
    double behaviourPenalty;
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
  private final Map<PeerId, PeerStats> peers = new HashMap<>();
  private final Map<String, Set<PeerId>> peersByIp = new HashMap<>();
  private final LinkedHashMap<MessageId, Delivery> deliveries = new LinkedHashMap<>();

  PeerScore(PeerScoreParams params, long deliveryTtlNanos) {
    this.params = params;
    this.deliveryTtlNanos = deliveryTtlNanos;
  }

  void addPeer(PeerId peer, String ip) {
    PeerStats s = peers.computeIfAbsent(peer, p -> new PeerStats());
    s.connected = true;
    if (ip != null) {
      s.ip = ip;
      peersByIp.computeIfAbsent(ip, k -> new HashSet<>()).add(peer);
    }
  }

  /**
   * The peer left: its mesh membership ends (P3b applies) and its score is kept for retainScore.
   */
  void removePeer(PeerId peer, long nowNanos) {
    PeerStats s = peers.get(peer);
    if (s == null) {
      return;
    }
    if (s.topics != null) {
      s.topics.forEach((topic, ts) -> leaveMesh(ts, topic, nowNanos));
    }
    s.connected = false;
    s.expireNanos = nowNanos + params.retainScoreNanos();
    if (s.ip != null) {
      Set<PeerId> same = peersByIp.get(s.ip);
      same.remove(peer);
      if (same.isEmpty()) {
        peersByIp.remove(s.ip);
      }
    }
  }

  double score(PeerId peer, long nowNanos) {
    PeerStats s = peers.get(peer);
    if (s == null) {
      return 0;
    }
    double topicSum = 0;
    for (Map.Entry<String, TopicStats> e : topicsOf(s).entrySet()) {
      TopicScoreParams tp = params.topic(e.getKey());
      TopicStats ts = e.getValue();
      double p1 = 0;
      if (ts.inMesh) {
        long quanta =
            (nowNanos - ts.graftNanos)
                / tp.timeInMeshQuantumNanos(); // whole quanta, as the spec counts
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
      topicSum += tp.topicWeight() * t;
    }
    if (params.topicScoreCap() > 0 && topicSum > params.topicScoreCap()) {
      topicSum = params.topicScoreCap();
    }
    double score = topicSum + params.appSpecificWeight() * s.appScore;
    score += params.ipColocationFactorWeight() * ipColocation(s);
    double excess = s.behaviourPenalty - params.behaviourPenaltyThreshold();
    if (excess > 0) {
      score += params.behaviourPenaltyWeight() * excess * excess;
    }
    return score;
  }

  private double ipColocation(PeerStats s) {
    if (s.ip == null || !s.connected || params.ipColocationWhitelist().contains(s.ip)) {
      return 0;
    }
    double surplus =
        peersByIp.getOrDefault(s.ip, Set.of()).size() - params.ipColocationFactorThreshold();
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
      first.firstDeliveries =
          Math.min(first.firstDeliveries + 1, params.topic(d.topic).firstMessageDeliveriesCap());
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
      ts.meshDeliveries =
          Math.min(ts.meshDeliveries + 1, params.topic(topic).meshMessageDeliveriesCap());
    }
  }

  private void addInvalid(PeerId peer, String topic) {
    TopicStats ts = topicStats(peer, topic);
    if (ts != null) {
      ts.invalidDeliveries += 1;
    }
  }

  /** P7: misbehaviour (GRAFT during backoff, broken IWANT promise). */
  void addPenalty(PeerId peer, int count) {
    PeerStats s = peers.get(peer);
    if (s != null) {
      s.behaviourPenalty += count;
    }
  }

  void setApplicationScore(PeerId peer, double value) {
    PeerStats s = peers.get(peer);
    if (s != null) {
      s.appScore = value;
    }
  }

  /**
   * One decay interval: every decaying counter is multiplied by its factor, small ones become 0.
   */
  void decay() {
    double zero = params.decayToZero();
    for (PeerStats s : peers.values()) {
      for (Map.Entry<String, TopicStats> e : topicsOf(s).entrySet()) {
        TopicScoreParams tp = params.topic(e.getKey());
        TopicStats ts = e.getValue();
        ts.firstDeliveries = decayed(ts.firstDeliveries, tp.firstMessageDeliveriesDecay(), zero);
        ts.meshDeliveries = decayed(ts.meshDeliveries, tp.meshMessageDeliveriesDecay(), zero);
        ts.meshFailurePenalty = decayed(ts.meshFailurePenalty, tp.meshFailurePenaltyDecay(), zero);
        ts.invalidDeliveries =
            decayed(ts.invalidDeliveries, tp.invalidMessageDeliveriesDecay(), zero);
      }
      s.behaviourPenalty = decayed(s.behaviourPenalty, params.behaviourPenaltyDecay(), zero);
    }
  }

  private static double decayed(double value, double factor, double zero) {
    double v = value * factor;
    return v < zero ? 0 : v;
  }

  /** Forgets disconnected peers past retainScore and delivery records past their TTL. */
  void refresh(long nowNanos) {
    peers.values().removeIf(s -> !s.connected && s.expireNanos - nowNanos <= 0);
    Iterator<Delivery> it = deliveries.values().iterator();
    while (it.hasNext() && it.next().expireNanos - nowNanos <= 0) {
      it.remove();
    }
  }

  private TopicStats topicStats(PeerId peer, String topic) {
    PeerStats s = peers.get(peer);
    if (s == null || params.topic(topic) == null) {
      return null;
    }
    if (s.topics == null) {
      s.topics = new HashMap<>();
    }
    return s.topics.computeIfAbsent(topic, t -> new TopicStats());
  }

  private static Map<String, TopicStats> topicsOf(PeerStats s) {
    return s.topics == null ? Map.of() : s.topics;
  }
}
