package org.grapevine.libp2p.noise.netty;

import java.util.Optional;
import org.grapevine.libp2p.crypto.PubKey;
import org.grapevine.libp2p.peer.PeerId;

/**
 * User event fired by {@link NoiseHandler} once the handshake has completed and the remote's
 * identity is verified. Every inbound ByteBuf after it is decrypted plaintext.
 *
 * @param muxer the muxer agreed inside the handshake; when empty, negotiate one with
 *     multistream-select over the now encrypted channel
 */
public record NoiseHandshakeCompleted(
    PeerId remotePeer, PubKey remoteKey, Optional<String> muxer) {}
