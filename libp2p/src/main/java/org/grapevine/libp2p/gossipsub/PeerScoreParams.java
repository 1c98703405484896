package org.grapevine.libp2p.gossipsub;

/**
 * Peer score parameters (gossipsub-v1.1.md "The Score Function"): the topic terms P1 to P4 via
 * {@link TopicScoreParams}, and the global P5 application score, P6 IP colocation and P7 behaviour
 * penalty. Defaults are js-libp2p's (libp2p-notes 12.7).
 *
 * <p>{@code defaultTopic} (null by default, as in js and go) scores every topic not named in {@code
 * topics}: an extension for applications whose topics are not known in advance (one topic per
 * identity), so that an invalid message costs its sender on any topic.
 */
public record PeerScoreParams(
    java.util.Map<String, TopicScoreParams> topics,
    double topicScoreCap,
    double appSpecificWeight,
    double ipColocationFactorWeight,
    double ipColocationFactorThreshold,
    java.util.Set<String> ipColocationWhitelist,
    double behaviourPenaltyWeight,
    double behaviourPenaltyThreshold,
    double behaviourPenaltyDecay,
    long decayIntervalNanos,
    double decayToZero,
    long retainScoreNanos,
    TopicScoreParams defaultTopic) {
  public PeerScoreParams {
    topics = java.util.Map.copyOf(topics);
    ipColocationWhitelist = java.util.Set.copyOf(ipColocationWhitelist);
    if (decayIntervalNanos <= 0 || decayToZero < 0 || decayToZero >= 1) {
      throw new IllegalArgumentException(
          "decay interval must be positive and decayToZero in [0, 1)");
    }
    if (ipColocationFactorWeight > 0 || behaviourPenaltyWeight > 0) {
      throw new IllegalArgumentException("P6 and P7 weights must not be positive");
    }
  }

  /** The parameters that score {@code topic}, or null when it is not scored. */
  public TopicScoreParams topic(String topic) {
    TopicScoreParams tp = topics.get(topic);
    return tp != null ? tp : defaultTopic;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.topics = topics;
    b.topicScoreCap = topicScoreCap;
    b.appSpecificWeight = appSpecificWeight;
    b.ipColocationFactorWeight = ipColocationFactorWeight;
    b.ipColocationFactorThreshold = ipColocationFactorThreshold;
    b.ipColocationWhitelist = ipColocationWhitelist;
    b.behaviourPenaltyWeight = behaviourPenaltyWeight;
    b.behaviourPenaltyThreshold = behaviourPenaltyThreshold;
    b.behaviourPenaltyDecay = behaviourPenaltyDecay;
    b.decayIntervalNanos = decayIntervalNanos;
    b.decayToZero = decayToZero;
    b.retainScoreNanos = retainScoreNanos;
    b.defaultTopic = defaultTopic;
    return b;
  }

  /** Starts from the defaults listed on each setter. */
  public static final class Builder {
    private java.util.Map<String, TopicScoreParams> topics = java.util.Map.of();
    private double topicScoreCap = 10.0;
    private double appSpecificWeight = 10.0;
    private double ipColocationFactorWeight = -5.0;
    private double ipColocationFactorThreshold = 10.0;
    private java.util.Set<String> ipColocationWhitelist = java.util.Set.of();
    private double behaviourPenaltyWeight = -10.0;
    private double behaviourPenaltyThreshold = 0.0;
    private double behaviourPenaltyDecay = 0.2;
    private long decayIntervalNanos = 1L * 1_000_000_000L;
    private double decayToZero = 0.1;
    private long retainScoreNanos = 3600L * 1_000_000_000L;
    private TopicScoreParams defaultTopic;

    private Builder() {}

    /**
     * Scored topics; others contribute nothing (js default: none). Default: {@code
     * java.util.Map.of()}.
     */
    public Builder topics(java.util.Map<String, TopicScoreParams> value) {
      this.topics = value;
      return this;
    }

    /** Scores every topic not in {@link #topics}; null for none. Default: {@code null}. */
    public Builder defaultTopic(TopicScoreParams value) {
      this.defaultTopic = value;
      return this;
    }

    /** Cap on the positive sum over topics; 0 for none. Default: {@code 10.0}. */
    public Builder topicScoreCap(double value) {
      this.topicScoreCap = value;
      return this;
    }

    /** P5 weight. Default: {@code 10.0}. */
    public Builder appSpecificWeight(double value) {
      this.appSpecificWeight = value;
      return this;
    }

    /** P6 weight (negative). Default: {@code -5.0}. */
    public Builder ipColocationFactorWeight(double value) {
      this.ipColocationFactorWeight = value;
      return this;
    }

    /**
     * P6: peers beyond this many on one IP are penalised by the surplus squared. Default: {@code
     * 10.0}.
     */
    public Builder ipColocationFactorThreshold(double value) {
      this.ipColocationFactorThreshold = value;
      return this;
    }

    /**
     * P6: IPs exempt from colocation (e.g. 127.0.0.1 in local tests). Default: {@code
     * java.util.Set.of()}.
     */
    public Builder ipColocationWhitelist(java.util.Set<String> value) {
      this.ipColocationWhitelist = value;
      return this;
    }

    /** P7 weight (negative). Default: {@code -10.0}. */
    public Builder behaviourPenaltyWeight(double value) {
      this.behaviourPenaltyWeight = value;
      return this;
    }

    /** P7: only the excess over this counter value is squared. Default: {@code 0.0}. */
    public Builder behaviourPenaltyThreshold(double value) {
      this.behaviourPenaltyThreshold = value;
      return this;
    }

    /** P7 decay factor. Default: {@code 0.2}. */
    public Builder behaviourPenaltyDecay(double value) {
      this.behaviourPenaltyDecay = value;
      return this;
    }

    /**
     * How often counters decay; applied at heartbeats, so effectively rounded up to the heartbeat
     * interval. Default: {@code 1 * 1 s}.
     */
    public Builder decayIntervalNanos(long value) {
      this.decayIntervalNanos = value;
      return this;
    }

    /** A decayed counter below this becomes 0. Default: {@code 0.1}. */
    public Builder decayToZero(double value) {
      this.decayToZero = value;
      return this;
    }

    /** How long a disconnected peer's score is remembered. Default: {@code 3600 * 1 s}. */
    public Builder retainScoreNanos(long value) {
      this.retainScoreNanos = value;
      return this;
    }

    public PeerScoreParams build() {
      return new PeerScoreParams(
          topics,
          topicScoreCap,
          appSpecificWeight,
          ipColocationFactorWeight,
          ipColocationFactorThreshold,
          ipColocationWhitelist,
          behaviourPenaltyWeight,
          behaviourPenaltyThreshold,
          behaviourPenaltyDecay,
          decayIntervalNanos,
          decayToZero,
          retainScoreNanos,
          defaultTopic);
    }
  }
}
