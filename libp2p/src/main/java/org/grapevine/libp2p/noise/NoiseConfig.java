package org.grapevine.libp2p.noise;

import java.time.Duration;
import java.util.List;

/**
 * Settings shared by every Noise handshake of a host.
 *
 * @param muxers stream muxer protocol IDs we offer for early negotiation, most preferred first
 *     (connections/inlined-muxer-negotiation.md). Empty (the default) means we neither send a list
 *     nor read the remote's, so the muxer is always negotiated with multistream-select after the
 *     handshake. List only muxers the host can actually run.
 * @param handshakeTimeoutNanos how long the whole handshake may take (js-libp2p allows 10 s for the
 *     full upgrade).
 */
public record NoiseConfig(List<String> muxers, long handshakeTimeoutNanos) {
  public static final long DEFAULT_HANDSHAKE_TIMEOUT_NANOS = Duration.ofSeconds(10).toNanos();

  /** multistream-select caps protocol IDs far below this; the bound keeps our payload small. */
  private static final int MAX_MUXER_ID_CHARS = 1024;

  public NoiseConfig {
    muxers = List.copyOf(muxers);
    for (String muxer : muxers) {
      if (muxer.isEmpty() || muxer.length() > MAX_MUXER_ID_CHARS) {
        throw new IllegalArgumentException("muxer protocol ID of " + muxer.length() + " chars");
      }
    }
    if (handshakeTimeoutNanos <= 0) {
      throw new IllegalArgumentException(
          "handshake timeout must be positive, got " + handshakeTimeoutNanos + " ns");
    }
  }

  /** No early muxer negotiation, 10 s handshake timeout. */
  public static NoiseConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link NoiseConfig}; starts from the defaults. */
  public static final class Builder {
    private List<String> muxers = List.of();
    private long handshakeTimeoutNanos = DEFAULT_HANDSHAKE_TIMEOUT_NANOS;

    private Builder() {}

    public Builder muxers(List<String> muxers) {
      this.muxers = muxers;
      return this;
    }

    public Builder handshakeTimeout(Duration timeout) {
      this.handshakeTimeoutNanos = timeout.toNanos();
      return this;
    }

    public NoiseConfig build() {
      return new NoiseConfig(muxers, handshakeTimeoutNanos);
    }
  }
}
