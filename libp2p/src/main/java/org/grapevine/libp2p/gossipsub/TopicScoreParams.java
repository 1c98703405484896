package org.grapevine.libp2p.gossipsub;

/**
 * Per-topic score parameters (gossipsub-v1.1.md "Topic Parameter Calculation"): P1 to P4. Defaults
 * are js-libp2p's topic template (libp2p-notes 12.7); only topics listed in {@link
 * PeerScoreParams#topics()} contribute to a score.
 */
public record TopicScoreParams(
    double topicWeight,
    double timeInMeshWeight,
    long timeInMeshQuantumNanos,
    double timeInMeshCap,
    double firstMessageDeliveriesWeight,
    double firstMessageDeliveriesDecay,
    double firstMessageDeliveriesCap,
    double meshMessageDeliveriesWeight,
    double meshMessageDeliveriesDecay,
    double meshMessageDeliveriesCap,
    double meshMessageDeliveriesThreshold,
    long meshMessageDeliveriesWindowNanos,
    long meshMessageDeliveriesActivationNanos,
    double meshFailurePenaltyWeight,
    double meshFailurePenaltyDecay,
    double invalidMessageDeliveriesWeight,
    double invalidMessageDeliveriesDecay) {

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.topicWeight = topicWeight;
    b.timeInMeshWeight = timeInMeshWeight;
    b.timeInMeshQuantumNanos = timeInMeshQuantumNanos;
    b.timeInMeshCap = timeInMeshCap;
    b.firstMessageDeliveriesWeight = firstMessageDeliveriesWeight;
    b.firstMessageDeliveriesDecay = firstMessageDeliveriesDecay;
    b.firstMessageDeliveriesCap = firstMessageDeliveriesCap;
    b.meshMessageDeliveriesWeight = meshMessageDeliveriesWeight;
    b.meshMessageDeliveriesDecay = meshMessageDeliveriesDecay;
    b.meshMessageDeliveriesCap = meshMessageDeliveriesCap;
    b.meshMessageDeliveriesThreshold = meshMessageDeliveriesThreshold;
    b.meshMessageDeliveriesWindowNanos = meshMessageDeliveriesWindowNanos;
    b.meshMessageDeliveriesActivationNanos = meshMessageDeliveriesActivationNanos;
    b.meshFailurePenaltyWeight = meshFailurePenaltyWeight;
    b.meshFailurePenaltyDecay = meshFailurePenaltyDecay;
    b.invalidMessageDeliveriesWeight = invalidMessageDeliveriesWeight;
    b.invalidMessageDeliveriesDecay = invalidMessageDeliveriesDecay;
    return b;
  }

  /** Starts from the defaults listed on each setter. */
  public static final class Builder {
    private double topicWeight = 0.5;
    private double timeInMeshWeight = 1.0;
    private long timeInMeshQuantumNanos = 1_000_000L;
    private double timeInMeshCap = 3600.0;
    private double firstMessageDeliveriesWeight = 1.0;
    private double firstMessageDeliveriesDecay = 0.5;
    private double firstMessageDeliveriesCap = 2000.0;
    private double meshMessageDeliveriesWeight = -1.0;
    private double meshMessageDeliveriesDecay = 0.5;
    private double meshMessageDeliveriesCap = 100.0;
    private double meshMessageDeliveriesThreshold = 20.0;
    private long meshMessageDeliveriesWindowNanos = 10_000_000L;
    private long meshMessageDeliveriesActivationNanos = 5L * 1_000_000_000L;
    private double meshFailurePenaltyWeight = -1.0;
    private double meshFailurePenaltyDecay = 0.5;
    private double invalidMessageDeliveriesWeight = -1.0;
    private double invalidMessageDeliveriesDecay = 0.3;

    private Builder() {}

    /** How much this topic counts in the sum over topics. Default: {@code 0.5}. */
    public Builder topicWeight(double value) {
      this.topicWeight = value;
      return this;
    }

    /** P1 weight (positive). Default: {@code 1.0}. */
    public Builder timeInMeshWeight(double value) {
      this.timeInMeshWeight = value;
      return this;
    }

    /** P1 unit: time in mesh is counted in quanta of this length. Default: {@code 1 ms}. */
    public Builder timeInMeshQuantumNanos(long value) {
      this.timeInMeshQuantumNanos = value;
      return this;
    }

    /** P1 cap, in quanta. Default: {@code 3600.0}. */
    public Builder timeInMeshCap(double value) {
      this.timeInMeshCap = value;
      return this;
    }

    /** P2 weight (positive). Default: {@code 1.0}. */
    public Builder firstMessageDeliveriesWeight(double value) {
      this.firstMessageDeliveriesWeight = value;
      return this;
    }

    /** P2 decay factor per decay interval. Default: {@code 0.5}. */
    public Builder firstMessageDeliveriesDecay(double value) {
      this.firstMessageDeliveriesDecay = value;
      return this;
    }

    /** P2 counter cap. Default: {@code 2000.0}. */
    public Builder firstMessageDeliveriesCap(double value) {
      this.firstMessageDeliveriesCap = value;
      return this;
    }

    /** P3 weight (negative). Default: {@code -1.0}. */
    public Builder meshMessageDeliveriesWeight(double value) {
      this.meshMessageDeliveriesWeight = value;
      return this;
    }

    /** P3 counter decay factor. Default: {@code 0.5}. */
    public Builder meshMessageDeliveriesDecay(double value) {
      this.meshMessageDeliveriesDecay = value;
      return this;
    }

    /** P3 counter cap. Default: {@code 100.0}. */
    public Builder meshMessageDeliveriesCap(double value) {
      this.meshMessageDeliveriesCap = value;
      return this;
    }

    /** P3 threshold: a counter below it is a deficit. Default: {@code 20.0}. */
    public Builder meshMessageDeliveriesThreshold(double value) {
      this.meshMessageDeliveriesThreshold = value;
      return this;
    }

    /**
     * P3 near-first window: a duplicate from a mesh peer this soon after validation still counts.
     * Default: {@code 10_000_000L}.
     */
    public Builder meshMessageDeliveriesWindowNanos(long value) {
      this.meshMessageDeliveriesWindowNanos = value;
      return this;
    }

    /**
     * P3 activation: the deficit counts only after this long in the mesh. Default: {@code 5 * 1 s}.
     */
    public Builder meshMessageDeliveriesActivationNanos(long value) {
      this.meshMessageDeliveriesActivationNanos = value;
      return this;
    }

    /** P3b weight (negative). Default: {@code -1.0}. */
    public Builder meshFailurePenaltyWeight(double value) {
      this.meshFailurePenaltyWeight = value;
      return this;
    }

    /** P3b decay factor. Default: {@code 0.5}. */
    public Builder meshFailurePenaltyDecay(double value) {
      this.meshFailurePenaltyDecay = value;
      return this;
    }

    /** P4 weight (negative). Default: {@code -1.0}. */
    public Builder invalidMessageDeliveriesWeight(double value) {
      this.invalidMessageDeliveriesWeight = value;
      return this;
    }

    /** P4 decay factor. Default: {@code 0.3}. */
    public Builder invalidMessageDeliveriesDecay(double value) {
      this.invalidMessageDeliveriesDecay = value;
      return this;
    }

    public TopicScoreParams build() {
      return new TopicScoreParams(
          topicWeight,
          timeInMeshWeight,
          timeInMeshQuantumNanos,
          timeInMeshCap,
          firstMessageDeliveriesWeight,
          firstMessageDeliveriesDecay,
          firstMessageDeliveriesCap,
          meshMessageDeliveriesWeight,
          meshMessageDeliveriesDecay,
          meshMessageDeliveriesCap,
          meshMessageDeliveriesThreshold,
          meshMessageDeliveriesWindowNanos,
          meshMessageDeliveriesActivationNanos,
          meshFailurePenaltyWeight,
          meshFailurePenaltyDecay,
          invalidMessageDeliveriesWeight,
          invalidMessageDeliveriesDecay);
    }
  }
}
