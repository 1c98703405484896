package org.grapevine.libp2p.dcutr.netty;

import java.util.Optional;
import org.grapevine.libp2p.dcutr.DcutrOutcome;
import org.grapevine.libp2p.host.Connection;

/**
 * How one hole punch ended.
 *
 * @param direct the direct connection it made, with {@link DcutrOutcome#DIRECT}
 * @param attempts attempts started (at most {@code DcutrSession.MAX_ATTEMPTS})
 * @param rttNanos the last round trip measured over the relayed connection; -1 on the responder
 */
public record DcutrResult(
    DcutrOutcome outcome,
    String detail,
    Optional<Connection> direct,
    int attempts,
    long rttNanos) {}
