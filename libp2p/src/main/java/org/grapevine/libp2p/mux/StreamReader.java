package org.grapevine.libp2p.mux;

import io.netty.buffer.ByteBuf;

/** Receives a {@link MuxedStream}'s inbound events, on the connection's event loop. */
public interface StreamReader {
  /** Bytes from the peer; the reader owns {@code data} and must release it. */
  void onData(MuxedStream stream, ByteBuf data);

  /** The peer half-closed (FIN): no more data will come. */
  void onRemoteClosed(MuxedStream stream);

  /** The stream is gone: reset by either side, or the connection closed. No more events follow. */
  void onReset(MuxedStream stream);

  /** The stream became writable again after {@link MuxedStream#isWritable()} returned false. */
  default void onWritable(MuxedStream stream) {}
}
