package org.grapevine.libp2p.dcutr;

import java.util.List;
import org.grapevine.libp2p.multiaddr.Multiaddr;

/** What a {@link DcutrSession} asks its driver to do, or tells it. */
public sealed interface DcutrOutput {
  /** Write {@code message} on the session's stream (length-prefixed). */
  record Send(HolePunchMessage message) implements DcutrOutput {}

  /**
   * Dial the peer directly at {@code addrs} now, from our listening port (TCP simultaneous open),
   * then report with {@link DcutrSession#handleDialResult}. {@code securityInitiator}: whether we
   * take the dialer's part in the connection's upgrade (multistream-select and Noise). Both sides
   * dial, so the roles cannot come from the TCP connect; the spec fixes them: "For the purpose of
   * all protocols run on top of this TCP connection, A is assumed to be the client and B the
   * server". A, the session's {@linkplain DcutrSession#responder responder} (the peer that dialled
   * the relayed connection), is the security initiator; B, the initiator, the security responder.
   * go-libp2p does the same; js-libp2p's B asks for the server's part ({@code initiator: false})
   * but its dial queue drops that option, so its dial runs as a client (DcutrInteropIT).
   */
  record Dial(List<Multiaddr> addrs, boolean securityInitiator) implements DcutrOutput {
    public Dial {
      addrs = List.copyOf(addrs);
    }
  }

  /** The session is over; close its stream. */
  record Done(DcutrOutcome outcome, String detail) implements DcutrOutput {}
}
