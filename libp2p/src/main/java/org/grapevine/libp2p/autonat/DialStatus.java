package org.grapevine.libp2p.autonat;

/** The outcome of the server's dial back (autonat-v2.md "Requirements for DialStatus"). */
public enum DialStatus {
  UNUSED(0),
  /** The server could not connect: the address is not reachable from it. */
  E_DIAL_ERROR(100),
  /** Connected, but the nonce did not get across on the dial-back stream: inconclusive. */
  E_DIAL_BACK_ERROR(101),
  /** Connected and delivered the nonce. */
  OK(200),
  /** A value this implementation does not know; such a response is discarded. */
  UNKNOWN(-1);

  private final int wire;

  DialStatus(int wire) {
    this.wire = wire;
  }

  public int wire() {
    return wire;
  }

  public static DialStatus fromWire(int v) {
    for (DialStatus s : values()) {
      if (s.wire == v) {
        return s;
      }
    }
    return UNKNOWN;
  }
}
