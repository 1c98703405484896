package org.grapevine.libp2p.kad.netty;

import org.grapevine.libp2p.kad.KadMessage;
import org.grapevine.libp2p.kad.KadServer;
import org.grapevine.libp2p.peer.PeerId;

/**
 * Answers one decoded inbound Kademlia request: {@code Dht.handleRequest} in the node, a {@link
 * KadServer} in tests. Called on the connection's event loop, or on the executor given to {@link
 * KadInboundHandler} (one request of a stream at a time, in order). Must not throw: a throw is our
 * bug, logged, and the stream is reset.
 */
@FunctionalInterface
public interface KadRequestHandler {
  /** The reply to write: a response, nothing (ADD_PROVIDER), or a refusal (the stream is reset). */
  KadServer.Reply handle(PeerId from, KadMessage request);
}
