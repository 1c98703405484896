package org.grapevine.libp2p.kad;

/**
 * What the sender of a {@link KadPeer} says of its own connection to that peer (the spec's {@code
 * ConnectionType}). A hint only: nothing is decided on it but the order in which peers are tried.
 */
public enum KadConnection {
  /** No connection and nothing known (the default on the wire). */
  NOT_CONNECTED(0),
  /** A live connection. */
  CONNECTED(1),
  /** Connected recently. */
  CAN_CONNECT(2),
  /** Tried hard and failed recently. */
  CANNOT_CONNECT(3);

  private final int wire;

  KadConnection(int wire) {
    this.wire = wire;
  }

  public int wire() {
    return wire;
  }

  /** The hint of a wire number; an unknown one is read as no hint (it only orders whom to try). */
  public static KadConnection fromWire(int wire) {
    for (KadConnection c : values()) {
      if (c.wire == wire) {
        return c;
      }
    }
    return NOT_CONNECTED;
  }
}
