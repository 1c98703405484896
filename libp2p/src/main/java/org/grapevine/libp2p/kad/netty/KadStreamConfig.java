package org.grapevine.libp2p.kad.netty;

import java.time.Duration;
import java.util.Objects;
import org.grapevine.libp2p.kad.KadCodec;

/**
 * Limits of the Kademlia streams of one host.
 *
 * @param protocol the protocol ID, {@link #PROTOCOL} on the public DHT (a private mesh may use its
 *     own, as js's LAN DHT uses {@code /ipfs/lan/kad/1.0.0})
 * @param maxMessageBytes the largest frame read or written, {@link
 *     KadCodec#DEFAULT_MAX_MESSAGE_BYTES} by default
 * @param idleTimeout an inbound stream with no request for this long is reset (go-libp2p-kad-dht
 *     uses 1 min, js 10 s per message; 1 min here: a peer reusing a stream for a lookup asks again
 *     within seconds, and an idle stream costs little)
 * @param maxInboundStreamsPerConnection concurrent inbound DHT streams a connection may hold (js's
 *     default is 32); one more is reset at once
 * @param maxQueuedRequests decoded requests waiting on one stream while an earlier one is served;
 *     go and js wait for each answer before asking again, so more is a peer flooding us
 */
public record KadStreamConfig(
    String protocol,
    int maxMessageBytes,
    Duration idleTimeout,
    int maxInboundStreamsPerConnection,
    int maxQueuedRequests) {
  /** The public DHT's protocol (libp2p/specs kad-dht/README.md). */
  public static final String PROTOCOL = "/ipfs/kad/1.0.0";

  public KadStreamConfig {
    Objects.requireNonNull(protocol, "protocol");
    new KadCodec(maxMessageBytes); // checks the bound
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("idleTimeout must be positive, got " + idleTimeout);
    }
    if (maxInboundStreamsPerConnection < 1 || maxQueuedRequests < 1) {
      throw new IllegalArgumentException(
          "stream limits must be positive: "
              + maxInboundStreamsPerConnection
              + " streams, "
              + maxQueuedRequests
              + " queued requests");
    }
  }

  /** The public DHT's protocol with the limits above. */
  public static KadStreamConfig defaults() {
    return new KadStreamConfig(
        PROTOCOL, KadCodec.DEFAULT_MAX_MESSAGE_BYTES, Duration.ofMinutes(1), 32, 4);
  }

  public KadStreamConfig withIdleTimeout(Duration timeout) {
    return new KadStreamConfig(
        protocol, maxMessageBytes, timeout, maxInboundStreamsPerConnection, maxQueuedRequests);
  }

  public KadStreamConfig withMaxInboundStreamsPerConnection(int n) {
    return new KadStreamConfig(protocol, maxMessageBytes, idleTimeout, n, maxQueuedRequests);
  }

  public KadStreamConfig withMaxMessageBytes(int bytes) {
    return new KadStreamConfig(
        protocol, bytes, idleTimeout, maxInboundStreamsPerConnection, maxQueuedRequests);
  }
}
