package org.grapevine.libp2p.dcutr.netty;

import java.util.List;
import java.util.Optional;
import org.grapevine.libp2p.dcutr.DcutrOutcome;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.multiaddr.Multiaddr;

/**
 * How one hole punch ended.
 *
 * @param direct with {@link DcutrOutcome#DIRECT}: the direct connection to the peer that came up
 *     (made by our dial, or by the peer's reaching our listener)
 * @param attempts attempts started (at most {@code DcutrSession.MAX_ATTEMPTS})
 * @param rttNanos the last round trip measured over the relayed connection; -1 on the responder
 * @param peerOffered every address (as read) in the peer's last CONNECT, usable or not; empty if
 *     none came
 */
public record DcutrResult(
    DcutrOutcome outcome,
    String detail,
    Optional<Connection> direct,
    int attempts,
    long rttNanos,
    List<Multiaddr> peerOffered) {
  public DcutrResult {
    peerOffered = List.copyOf(peerOffered);
  }
}
