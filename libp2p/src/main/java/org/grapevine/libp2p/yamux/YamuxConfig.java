package org.grapevine.libp2p.yamux;

import java.util.concurrent.TimeUnit;

/**
 * Settings of one yamux session. Defaults follow js-libp2p's (libp2p-notes §8.1).
 *
 * <p>The initial window is not a setting: the spec fixes it at {@link #INITIAL_WINDOW_BYTES}, and
 * each side assumes it for the other before any WindowUpdate.
 *
 * @param receiveWindowBytes the credit we keep open for the peer on each stream, and so the most
 *     bytes one stream can have received but not yet consumed; at least the initial window. A
 *     larger value is announced as a non-zero delta on our SYN/ACK WindowUpdate.
 * @param maxSendChunkBytes the largest Data body we send (js sends at most 64 KiB with header)
 * @param maxInboundStreams streams the peer may have open at once; more are reset
 * @param maxOutboundStreams streams we may have open at once
 * @param ackBacklog outbound streams opened but not yet acknowledged by the peer (spec: 256)
 * @param keepaliveIntervalNanos how often we ping; 0 turns keepalive off
 * @param goAwayGraceNanos after our GoAway, how long open streams may take to finish
 */
public record YamuxConfig(
    int receiveWindowBytes,
    int maxSendChunkBytes,
    int maxInboundStreams,
    int maxOutboundStreams,
    int ackBacklog,
    long keepaliveIntervalNanos,
    long goAwayGraceNanos) {
  /** Every stream starts with this window in each direction (spec "Flow Control"). */
  public static final int INITIAL_WINDOW_BYTES = 256 * 1024;

  /** Largest window the decoder accepts: leaves room for the header in an int-sized buffer. */
  public static final int MAX_RECEIVE_WINDOW_BYTES = 64 * 1024 * 1024;

  public YamuxConfig {
    if (receiveWindowBytes < INITIAL_WINDOW_BYTES
        || receiveWindowBytes > MAX_RECEIVE_WINDOW_BYTES) {
      throw new IllegalArgumentException("receiveWindowBytes out of range: " + receiveWindowBytes);
    }
    if (maxSendChunkBytes <= 0) {
      throw new IllegalArgumentException("maxSendChunkBytes must be positive");
    }
    if (maxInboundStreams < 0 || maxOutboundStreams < 0 || ackBacklog <= 0) {
      throw new IllegalArgumentException("stream limits must be non-negative, backlog positive");
    }
    if (keepaliveIntervalNanos < 0 || goAwayGraceNanos < 0) {
      throw new IllegalArgumentException("intervals must be non-negative");
    }
  }

  public static YamuxConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .receiveWindowBytes(receiveWindowBytes)
        .maxSendChunkBytes(maxSendChunkBytes)
        .maxInboundStreams(maxInboundStreams)
        .maxOutboundStreams(maxOutboundStreams)
        .ackBacklog(ackBacklog)
        .keepaliveIntervalNanos(keepaliveIntervalNanos)
        .goAwayGraceNanos(goAwayGraceNanos);
  }

  /** Builder starting from the defaults. */
  public static final class Builder {
    private int receiveWindowBytes = INITIAL_WINDOW_BYTES;
    private int maxSendChunkBytes = 64 * 1024 - YamuxFrameCodec.HEADER_BYTES;
    private int maxInboundStreams = 1000;
    private int maxOutboundStreams = 1000;
    private int ackBacklog = 256;
    private long keepaliveIntervalNanos = TimeUnit.SECONDS.toNanos(30);
    private long goAwayGraceNanos = TimeUnit.SECONDS.toNanos(5);

    private Builder() {}

    public Builder receiveWindowBytes(int v) {
      receiveWindowBytes = v;
      return this;
    }

    public Builder maxSendChunkBytes(int v) {
      maxSendChunkBytes = v;
      return this;
    }

    public Builder maxInboundStreams(int v) {
      maxInboundStreams = v;
      return this;
    }

    public Builder maxOutboundStreams(int v) {
      maxOutboundStreams = v;
      return this;
    }

    public Builder ackBacklog(int v) {
      ackBacklog = v;
      return this;
    }

    public Builder keepaliveIntervalNanos(long v) {
      keepaliveIntervalNanos = v;
      return this;
    }

    public Builder goAwayGraceNanos(long v) {
      goAwayGraceNanos = v;
      return this;
    }

    public YamuxConfig build() {
      return new YamuxConfig(
          receiveWindowBytes,
          maxSendChunkBytes,
          maxInboundStreams,
          maxOutboundStreams,
          ackBacklog,
          keepaliveIntervalNanos,
          goAwayGraceNanos);
    }
  }
}
