package org.grapevine.libp2p.noise.netty;

import org.grapevine.libp2p.noise.NoiseErrorCode;

/**
 * User event fired by {@link NoiseHandler} just before it closes the channel because the handshake
 * or the session failed, so that the host can say why a dial failed (for example a peer ID
 * mismatch) instead of only that the connection closed.
 */
public record NoiseFailed(NoiseErrorCode code, String detail) {}
