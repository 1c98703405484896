package org.grapevine.libp2p.gossipsub;

import java.util.Objects;
import org.grapevine.libp2p.proto.RPC;

/**
 * One pubsub RPC (pubsub/README.md "The RPC"), as decoded by {@link RpcCodec} or built by the
 * router. A thin immutable wrapper so that the router's API does not expose protobuf builders; the
 * generated message is immutable, so {@link #proto()} may be shared freely.
 */
public final class Rpc {
  public static final Rpc EMPTY = new Rpc(RPC.getDefaultInstance());

  private final RPC proto;

  private Rpc(RPC proto) {
    this.proto = proto;
  }

  public static Rpc of(RPC proto) {
    return new Rpc(Objects.requireNonNull(proto, "proto"));
  }

  public RPC proto() {
    return proto;
  }

  public boolean isEmpty() {
    return proto.getSubscriptionsCount() == 0
        && proto.getPublishCount() == 0
        && !proto.hasControl();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Rpc other && proto.equals(other.proto);
  }

  @Override
  public int hashCode() {
    return proto.hashCode();
  }

  @Override
  public String toString() {
    return "Rpc[subs="
        + proto.getSubscriptionsCount()
        + ", msgs="
        + proto.getPublishCount()
        + (proto.hasControl() ? ", control" : "")
        + "]";
  }
}
