package org.grapevine.libp2p.multistream.netty;

/**
 * User event fired by {@link MultistreamHandler} once a protocol is chosen, after the next layer is
 * installed and before any of the protocol's bytes flow on.
 */
public record ProtocolSelected(String protocol) {}
