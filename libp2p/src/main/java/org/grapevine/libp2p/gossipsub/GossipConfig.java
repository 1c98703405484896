package org.grapevine.libp2p.gossipsub;

/**
 * GossipSub router configuration. Defaults are the spec's (gossipsub-v1.0.md "Parameters",
 * gossipsub-v1.1.md "Parameters", gossipsub-v1.2.md) where the spec gives one, else go's and js's
 * common value (libp2p-notes 12.1). D_lo is the spec's 4 (js too); go uses 5.
 */
public record GossipConfig(
    int d,
    int dLo,
    int dHi,
    int dLazy,
    int dScore,
    int dOut,
    long heartbeatInitialDelayNanos,
    long heartbeatIntervalNanos,
    long fanoutTtlNanos,
    int mcacheLen,
    int mcacheGossip,
    long seenTtlNanos,
    long pruneBackoffNanos,
    long unsubscribeBackoffNanos,
    long graftFloodThresholdNanos,
    int opportunisticGraftTicks,
    int opportunisticGraftPeers,
    double gossipFactor,
    int maxIHaveLength,
    int maxIHaveMessages,
    long iwantFollowupNanos,
    int gossipRetransmission,
    int idontwantSizeThreshold,
    int maxIDontWantIdsPerPeer,
    int idontwantRetentionHeartbeats,
    boolean floodPublish,
    boolean doPeerExchange,
    int prunePeers,
    SignaturePolicy signaturePolicy,
    MessageIdFunction messageIdFunction,
    long initialSeqno,
    int maxPendingValidations,
    int maxPendingValidationsPerTopic,
    int maxOutboundQueuePerPeer,
    int maxTopicsPerPeer,
    PeerScoreParams scoreParams,
    PeerScoreThresholds scoreThresholds) {
  public GossipConfig {
    if (!(dLo <= d
            && d <= dHi
            && dOut < dLo
            && dOut <= d / 2
            && dScore <= d
            && dLo >= 0
            && dLazy >= 0)
        && d != 0) {
      throw new IllegalArgumentException(
          "need D_lo <= D <= D_hi, D_out < D_lo, D_out <= D/2, D_score <= D");
    }
    if (heartbeatIntervalNanos <= 0 || mcacheGossip > mcacheLen || mcacheLen < 1) {
      throw new IllegalArgumentException(
          "heartbeat must be positive and mcacheGossip <= mcacheLen");
    }
    java.util.Objects.requireNonNull(signaturePolicy, "signaturePolicy");
    java.util.Objects.requireNonNull(messageIdFunction, "messageIdFunction");
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.d = d;
    b.dLo = dLo;
    b.dHi = dHi;
    b.dLazy = dLazy;
    b.dScore = dScore;
    b.dOut = dOut;
    b.heartbeatInitialDelayNanos = heartbeatInitialDelayNanos;
    b.heartbeatIntervalNanos = heartbeatIntervalNanos;
    b.fanoutTtlNanos = fanoutTtlNanos;
    b.mcacheLen = mcacheLen;
    b.mcacheGossip = mcacheGossip;
    b.seenTtlNanos = seenTtlNanos;
    b.pruneBackoffNanos = pruneBackoffNanos;
    b.unsubscribeBackoffNanos = unsubscribeBackoffNanos;
    b.graftFloodThresholdNanos = graftFloodThresholdNanos;
    b.opportunisticGraftTicks = opportunisticGraftTicks;
    b.opportunisticGraftPeers = opportunisticGraftPeers;
    b.gossipFactor = gossipFactor;
    b.maxIHaveLength = maxIHaveLength;
    b.maxIHaveMessages = maxIHaveMessages;
    b.iwantFollowupNanos = iwantFollowupNanos;
    b.gossipRetransmission = gossipRetransmission;
    b.idontwantSizeThreshold = idontwantSizeThreshold;
    b.maxIDontWantIdsPerPeer = maxIDontWantIdsPerPeer;
    b.idontwantRetentionHeartbeats = idontwantRetentionHeartbeats;
    b.floodPublish = floodPublish;
    b.doPeerExchange = doPeerExchange;
    b.prunePeers = prunePeers;
    b.signaturePolicy = signaturePolicy;
    b.messageIdFunction = messageIdFunction;
    b.initialSeqno = initialSeqno;
    b.maxPendingValidations = maxPendingValidations;
    b.maxPendingValidationsPerTopic = maxPendingValidationsPerTopic;
    b.maxOutboundQueuePerPeer = maxOutboundQueuePerPeer;
    b.maxTopicsPerPeer = maxTopicsPerPeer;
    b.scoreParams = scoreParams;
    b.scoreThresholds = scoreThresholds;
    return b;
  }

  /** Starts from the defaults listed on each setter. */
  public static final class Builder {
    private int d = 6;
    private int dLo = 4;
    private int dHi = 12;
    private int dLazy = 6;
    private int dScore = 4;
    private int dOut = 2;
    private long heartbeatInitialDelayNanos = 100_000_000L;
    private long heartbeatIntervalNanos = 1L * 1_000_000_000L;
    private long fanoutTtlNanos = 60L * 1_000_000_000L;
    private int mcacheLen = 5;
    private int mcacheGossip = 3;
    private long seenTtlNanos = 120L * 1_000_000_000L;
    private long pruneBackoffNanos = 60L * 1_000_000_000L;
    private long unsubscribeBackoffNanos = 10L * 1_000_000_000L;
    private long graftFloodThresholdNanos = 10L * 1_000_000_000L;
    private int opportunisticGraftTicks = 60;
    private int opportunisticGraftPeers = 2;
    private double gossipFactor = 0.25;
    private int maxIHaveLength = 5000;
    private int maxIHaveMessages = 10;
    private long iwantFollowupNanos = 3L * 1_000_000_000L;
    private int gossipRetransmission = 3;
    private int idontwantSizeThreshold = 1000;
    private int maxIDontWantIdsPerPeer = 5000;
    private int idontwantRetentionHeartbeats = 3;
    private boolean floodPublish = true;
    private boolean doPeerExchange = false;
    private int prunePeers = 16;
    private SignaturePolicy signaturePolicy = SignaturePolicy.STRICT_SIGN;
    private MessageIdFunction messageIdFunction = MessageIdFunction.fromAndSeqno();
    private long initialSeqno = 1L;
    private int maxPendingValidations = 4096;
    private int maxPendingValidationsPerTopic = 1024;
    private int maxOutboundQueuePerPeer = 1024;
    private int maxTopicsPerPeer = 1024;
    private PeerScoreParams scoreParams = PeerScoreParams.builder().build();
    private PeerScoreThresholds scoreThresholds = PeerScoreThresholds.builder().build();

    private Builder() {}

    /** D: the desired mesh degree. Default: {@code 6}. */
    public Builder d(int value) {
      this.d = value;
      return this;
    }

    /**
     * D_lo: graft when the mesh is smaller (the spec's and js's value; go uses 5). Default: {@code
     * 4}.
     */
    public Builder dLo(int value) {
      this.dLo = value;
      return this;
    }

    /** D_hi: prune when the mesh is larger. Default: {@code 12}. */
    public Builder dHi(int value) {
      this.dHi = value;
      return this;
    }

    /** D_lazy: least number of peers gossiped to per topic per heartbeat. Default: {@code 6}. */
    public Builder dLazy(int value) {
      this.dLazy = value;
      return this;
    }

    /** D_score: peers kept by score when pruning an oversubscribed mesh. Default: {@code 4}. */
    public Builder dScore(int value) {
      this.dScore = value;
      return this;
    }

    /** D_out: outbound peers kept in each mesh (< D_lo, <= D/2). Default: {@code 2}. */
    public Builder dOut(int value) {
      this.dOut = value;
      return this;
    }

    /**
     * Delay from the first input to the first heartbeat (go and js: 100 ms). Default: {@code
     * 100_000_000L}.
     */
    public Builder heartbeatInitialDelayNanos(long value) {
      this.heartbeatInitialDelayNanos = value;
      return this;
    }

    /** Heartbeat interval. Default: {@code 1 * 1 s}. */
    public Builder heartbeatIntervalNanos(long value) {
      this.heartbeatIntervalNanos = value;
      return this;
    }

    /**
     * A fanout topic is dropped this long after our last publish to it. Default: {@code 60 * 1 s}.
     */
    public Builder fanoutTtlNanos(long value) {
      this.fanoutTtlNanos = value;
      return this;
    }

    /** Message cache history, in heartbeats (IWANT answers). Default: {@code 5}. */
    public Builder mcacheLen(int value) {
      this.mcacheLen = value;
      return this;
    }

    /** Message cache windows advertised in IHAVE. Default: {@code 3}. */
    public Builder mcacheGossip(int value) {
      this.mcacheGossip = value;
      return this;
    }

    /** How long a message id is remembered as seen. Default: {@code 120 * 1 s}. */
    public Builder seenTtlNanos(long value) {
      this.seenTtlNanos = value;
      return this;
    }

    /**
     * Backoff after a PRUNE (ours, or theirs without a backoff field). Default: {@code 60 * 1 s}.
     */
    public Builder pruneBackoffNanos(long value) {
      this.pruneBackoffNanos = value;
      return this;
    }

    /** Backoff sent with the PRUNEs of an unsubscribe. Default: {@code 10 * 1 s}. */
    public Builder unsubscribeBackoffNanos(long value) {
      this.unsubscribeBackoffNanos = value;
      return this;
    }

    /** A GRAFT this soon after our PRUNE costs an extra P7 point. Default: {@code 10 * 1 s}. */
    public Builder graftFloodThresholdNanos(long value) {
      this.graftFloodThresholdNanos = value;
      return this;
    }

    /** Heartbeats between opportunistic grafting rounds. Default: {@code 60}. */
    public Builder opportunisticGraftTicks(int value) {
      this.opportunisticGraftTicks = value;
      return this;
    }

    /** Peers grafted per opportunistic round. Default: {@code 2}. */
    public Builder opportunisticGraftPeers(int value) {
      this.opportunisticGraftPeers = value;
      return this;
    }

    /** Fraction of eligible non-mesh peers gossiped to (at least D_lazy). Default: {@code 0.25}. */
    public Builder gossipFactor(double value) {
      this.gossipFactor = value;
      return this;
    }

    /**
     * Most ids per IHAVE we send, and most ids we ask one peer for per heartbeat. Default: {@code
     * 5000}.
     */
    public Builder maxIHaveLength(int value) {
      this.maxIHaveLength = value;
      return this;
    }

    /** Most IHAVE messages we heed from one peer per heartbeat. Default: {@code 10}. */
    public Builder maxIHaveMessages(int value) {
      this.maxIHaveMessages = value;
      return this;
    }

    /**
     * An IWANT promise is broken when the message has not arrived after this long. Default: {@code
     * 3 * 1 s}.
     */
    public Builder iwantFollowupNanos(long value) {
      this.iwantFollowupNanos = value;
      return this;
    }

    /** Most times one peer gets the same message through IWANT. Default: {@code 3}. */
    public Builder gossipRetransmission(int value) {
      this.gossipRetransmission = value;
      return this;
    }

    /**
     * IDONTWANT is sent for messages of at least this many serialized bytes. Default: {@code 1000}.
     */
    public Builder idontwantSizeThreshold(int value) {
      this.idontwantSizeThreshold = value;
      return this;
    }

    /** Most IDONTWANT ids remembered per peer; more are ignored. Default: {@code 5000}. */
    public Builder maxIDontWantIdsPerPeer(int value) {
      this.maxIDontWantIdsPerPeer = value;
      return this;
    }

    /**
     * How many heartbeats a received IDONTWANT id is remembered (go's value). Default: {@code 3}.
     */
    public Builder idontwantRetentionHeartbeats(int value) {
      this.idontwantRetentionHeartbeats = value;
      return this;
    }

    /**
     * Publish our own messages to every topic peer above the publish threshold. Default: {@code
     * true}.
     */
    public Builder floodPublish(boolean value) {
      this.floodPublish = value;
      return this;
    }

    /**
     * Put peer exchange records in PRUNEs we send (go and js default: off). Default: {@code false}.
     */
    public Builder doPeerExchange(boolean value) {
      this.doPeerExchange = value;
      return this;
    }

    /** Most peers offered in one PRUNE's peer exchange. Default: {@code 16}. */
    public Builder prunePeers(int value) {
      this.prunePeers = value;
      return this;
    }

    /** Signature policy for all topics. Default: {@code SignaturePolicy.STRICT_SIGN}. */
    public Builder signaturePolicy(SignaturePolicy value) {
      this.signaturePolicy = value;
      return this;
    }

    /**
     * Message id function; must match the rest of the network. Default: {@code
     * MessageIdFunction.fromAndSeqno()}.
     */
    public Builder messageIdFunction(MessageIdFunction value) {
      this.messageIdFunction = value;
      return this;
    }

    /**
     * First seqno we publish; production passes a nanosecond wall-clock value so seqnos keep
     * growing across restarts (go's BasicSeqnoValidator). Default: {@code 1L}.
     */
    public Builder initialSeqno(long value) {
      this.initialSeqno = value;
      return this;
    }

    /**
     * Messages awaiting reportValidation; new messages beyond are dropped (counted) rather than
     * timed out. Default: {@code 4096}.
     */
    /**
     * Received messages of one topic awaiting validation (default 1024): one busy topic cannot take
     * the whole validation queue from the others. Beyond it messages are dropped and counted
     * ({@link DropReason#TOPIC_VALIDATION_QUEUE_FULL}).
     */
    public Builder maxPendingValidationsPerTopic(int value) {
      this.maxPendingValidationsPerTopic = value;
      return this;
    }

    public Builder maxPendingValidations(int value) {
      this.maxPendingValidations = value;
      return this;
    }

    /**
     * Undrained outbound messages per peer; further publish/forward messages to that peer are
     * dropped (counted). Default: {@code 1024}.
     */
    public Builder maxOutboundQueuePerPeer(int value) {
      this.maxOutboundQueuePerPeer = value;
      return this;
    }

    /**
     * Most topics tracked per remote peer; further subscriptions are ignored. Default: {@code
     * 1024}.
     */
    public Builder maxTopicsPerPeer(int value) {
      this.maxTopicsPerPeer = value;
      return this;
    }

    /** Peer score parameters. Default: {@code PeerScoreParams.builder().build()}. */
    public Builder scoreParams(PeerScoreParams value) {
      this.scoreParams = value;
      return this;
    }

    /** Peer score thresholds. Default: {@code PeerScoreThresholds.builder().build()}. */
    public Builder scoreThresholds(PeerScoreThresholds value) {
      this.scoreThresholds = value;
      return this;
    }

    public GossipConfig build() {
      return new GossipConfig(
          d,
          dLo,
          dHi,
          dLazy,
          dScore,
          dOut,
          heartbeatInitialDelayNanos,
          heartbeatIntervalNanos,
          fanoutTtlNanos,
          mcacheLen,
          mcacheGossip,
          seenTtlNanos,
          pruneBackoffNanos,
          unsubscribeBackoffNanos,
          graftFloodThresholdNanos,
          opportunisticGraftTicks,
          opportunisticGraftPeers,
          gossipFactor,
          maxIHaveLength,
          maxIHaveMessages,
          iwantFollowupNanos,
          gossipRetransmission,
          idontwantSizeThreshold,
          maxIDontWantIdsPerPeer,
          idontwantRetentionHeartbeats,
          floodPublish,
          doPeerExchange,
          prunePeers,
          signaturePolicy,
          messageIdFunction,
          initialSeqno,
          maxPendingValidations,
          maxPendingValidationsPerTopic,
          maxOutboundQueuePerPeer,
          maxTopicsPerPeer,
          scoreParams,
          scoreThresholds);
    }
  }
}
