package org.grapevine.libp2p.mux;

/**
 * A multiplexed connection as the host sees it. Implemented by the Yamux Netty adapter; methods run
 * on the connection's event loop.
 */
public interface StreamMuxer {
  /**
   * Opens an outbound stream; data may be written at once (before the peer acknowledges).
   *
   * @throws IllegalStateException if the session is closing or at its outbound stream limit
   */
  MuxedStream openStream();

  /**
   * Sets the callback for streams the peer opens. Streams arriving before it is set wait for it
   * (bounded).
   */
  void setInboundHandler(InboundStreamHandler handler);

  /** Sends GoAway (normal) and closes once open streams finish or the grace time passes. */
  void close();

  /** Number of streams currently open, both directions. */
  int openStreams();

  /** Receives streams the peer opened. */
  @FunctionalInterface
  interface InboundStreamHandler {
    void onInboundStream(MuxedStream stream);
  }
}
