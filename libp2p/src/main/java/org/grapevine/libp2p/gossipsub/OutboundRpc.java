package org.grapevine.libp2p.gossipsub;

import org.grapevine.libp2p.peer.PeerId;

/** An RPC the router wants written to {@code to}'s outbound pubsub stream. */
public record OutboundRpc(PeerId to, Rpc rpc) {}
