package org.grapevine.libp2p.host;

import org.grapevine.libp2p.mux.MuxedStream;

/**
 * Serves inbound streams of one protocol. Called on the connection's event loop once
 * multistream-select chose the protocol; the handler sets the stream's reader (bytes that arrived
 * with the negotiation are delivered to it first).
 */
@FunctionalInterface
public interface ProtocolHandler {
  void onStream(MuxedStream stream, Connection connection);
}
