package org.grapevine.libp2p.multistream.netty;

import org.grapevine.libp2p.multistream.MultistreamErrorCode;

/**
 * User event fired by {@link MultistreamHandler} just before it closes the channel because the
 * negotiation failed. Lets the host add context to its log, e.g. "swarm key mismatch?" when the
 * connection runs under pnet and the peer's bytes made no sense.
 */
public record NegotiationFailed(MultistreamErrorCode code, String detail) {}
