package org.grapevine.libp2p.identify;

import java.util.List;
import org.grapevine.libp2p.crypto.PubKey;

/**
 * What a host tells peers about itself in identify.
 *
 * @param listenAddrs binary multiaddrs we listen on
 * @param protocols protocols we accept inbound streams for (js-libp2p starts gossipsub with us only
 *     if this lists a meshsub version)
 */
public record IdentifyInfo(
    String protocolVersion,
    String agentVersion,
    PubKey publicKey,
    List<byte[]> listenAddrs,
    List<String> protocols) {
  public IdentifyInfo {
    listenAddrs = List.copyOf(listenAddrs);
    protocols = List.copyOf(protocols);
  }
}
