package org.grapevine.libp2p.kad;

/**
 * The six Kademlia RPC types (kad-dht/README.md, "RPC messages"), with their wire numbers. PING is
 * answered but, as the spec says, never sent.
 */
public enum KadMessageType {
  PUT_VALUE(0),
  GET_VALUE(1),
  ADD_PROVIDER(2),
  GET_PROVIDERS(3),
  FIND_NODE(4),
  PING(5);

  private final int wire;

  KadMessageType(int wire) {
    this.wire = wire;
  }

  public int wire() {
    return wire;
  }
}
