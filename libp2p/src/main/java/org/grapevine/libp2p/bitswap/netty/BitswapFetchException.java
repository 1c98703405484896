package org.grapevine.libp2p.bitswap.netty;

import java.util.Objects;
import org.grapevine.libp2p.bitswap.BitswapEvent;
import org.grapevine.libp2p.bitswap.Cid;

/**
 * A {@link BitswapService#fetch} that ended without the block; {@link #reason} says why (the core's
 * {@link BitswapEvent.Reason}: every peer said DONT_HAVE, nobody answered in time, no connected
 * peer, our wantlist full, or the fetch cancelled / the service closed).
 */
public final class BitswapFetchException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient Cid cid;
  private final BitswapEvent.Reason reason;

  public BitswapFetchException(Cid cid, BitswapEvent.Reason reason, String message) {
    super(message);
    this.cid = Objects.requireNonNull(cid, "cid");
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Cid cid() {
    return cid;
  }

  public BitswapEvent.Reason reason() {
    return reason;
  }
}
