package org.grapevine.libp2p.autonat;

/** {@code DialResponse.ResponseStatus} (autonat-v2.md "Requirements for ResponseStatus"). */
public enum ResponseStatus {
  E_INTERNAL_ERROR(0),
  /** Rate limited, out of resources, or blocked: not the addresses' fault. */
  E_REQUEST_REJECTED(100),
  /** The server will not or cannot dial any of the addresses. */
  E_DIAL_REFUSED(101),
  /** A dial was made (successful or not); see the dial status. */
  OK(200),
  /** A value this implementation does not know: "Implementations MUST discard" the response. */
  UNKNOWN(-1);

  private final int wire;

  ResponseStatus(int wire) {
    this.wire = wire;
  }

  public int wire() {
    return wire;
  }

  public static ResponseStatus fromWire(int v) {
    for (ResponseStatus s : values()) {
      if (s.wire == v) {
        return s;
      }
    }
    return UNKNOWN;
  }
}
