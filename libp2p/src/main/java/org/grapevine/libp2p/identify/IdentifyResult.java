package org.grapevine.libp2p.identify;

import java.util.List;
import org.grapevine.libp2p.crypto.PubKey;
import org.grapevine.libp2p.peer.PeerId;

/**
 * What a peer told us in identify, after {@link IdentifyCodec#decode} checked it.
 *
 * @param listenAddrs binary multiaddrs, unparsed (the host parses and keeps what it understands)
 * @param observedAddr our address as the peer sees it, binary; empty array when absent
 */
@SuppressWarnings(
    "ArrayRecordComponent") // the decoded message, read once by the host, never compared
public record IdentifyResult(
    PeerId peer,
    PubKey publicKey,
    String protocolVersion,
    String agentVersion,
    List<byte[]> listenAddrs,
    byte[] observedAddr,
    List<String> protocols) {}
