package org.grapevine.libp2p.gossipsub;

/** Score thresholds (gossipsub-v1.1.md "Score Thresholds"); defaults are js-libp2p's. */
public record PeerScoreThresholds(
    double gossipThreshold,
    double publishThreshold,
    double graylistThreshold,
    double acceptPxThreshold,
    double opportunisticGraftThreshold) {
  public PeerScoreThresholds {
    if (!(gossipThreshold <= 0
        && publishThreshold <= gossipThreshold
        && graylistThreshold < publishThreshold
        && acceptPxThreshold >= 0
        && opportunisticGraftThreshold >= 0)) {
      throw new IllegalArgumentException(
          "need graylist < publish <= gossip <= 0 <= acceptPX, opportunisticGraft");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.gossipThreshold = gossipThreshold;
    b.publishThreshold = publishThreshold;
    b.graylistThreshold = graylistThreshold;
    b.acceptPxThreshold = acceptPxThreshold;
    b.opportunisticGraftThreshold = opportunisticGraftThreshold;
    return b;
  }

  /** Starts from the defaults listed on each setter. */
  public static final class Builder {
    private double gossipThreshold = -10.0;
    private double publishThreshold = -50.0;
    private double graylistThreshold = -80.0;
    private double acceptPxThreshold = 10.0;
    private double opportunisticGraftThreshold = 20.0;

    private Builder() {}

    /** Below it: no IHAVE/IWANT in either direction. Default: {@code -10.0}. */
    public Builder gossipThreshold(double value) {
      this.gossipThreshold = value;
      return this;
    }

    /** Below it: not a flood-publish target. Default: {@code -50.0}. */
    public Builder publishThreshold(double value) {
      this.publishThreshold = value;
      return this;
    }

    /** Below it: every RPC from the peer is ignored. Default: {@code -80.0}. */
    public Builder graylistThreshold(double value) {
      this.graylistThreshold = value;
      return this;
    }

    /**
     * Peer exchange from a PRUNE is used only if the pruner scores at least this. Default: {@code
     * 10.0}.
     */
    public Builder acceptPxThreshold(double value) {
      this.acceptPxThreshold = value;
      return this;
    }

    /**
     * Opportunistic grafting runs when the median mesh score is below this. Default: {@code 20.0}.
     */
    public Builder opportunisticGraftThreshold(double value) {
      this.opportunisticGraftThreshold = value;
      return this;
    }

    public PeerScoreThresholds build() {
      return new PeerScoreThresholds(
          gossipThreshold,
          publishThreshold,
          graylistThreshold,
          acceptPxThreshold,
          opportunisticGraftThreshold);
    }
  }
}
