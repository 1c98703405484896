package org.grapevine.libp2p.gossipsub;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.grapevine.libp2p.proto.RPC;

/** What the router knows about one connected pubsub peer, and the RPC being batched for it. */
final class PeerState {
  final Direction direction;
  final GossipProtocol protocol;
  final Set<String> topics = new LinkedHashSet<>();

  /** IDONTWANT ids from this peer, with the heartbeat tick they arrived in. */
  final Map<MessageId, Long> dontWant = new HashMap<>();

  int ihavesThisHeartbeat;
  int idsAskedThisHeartbeat;

  /** Messages in OutboundRpcs handed to pollOutbound's queue but not yet polled. */
  int queuedMessages;

  /** The RPC being assembled during the current input; null when nothing is pending. */
  RPC.Builder out;

  int outMessages;
  final List<ByteString> outIWant = new ArrayList<>();
  final List<ByteString> outIDontWant = new ArrayList<>();

  PeerState(Direction direction, GossipProtocol protocol) {
    this.direction = direction;
    this.protocol = protocol;
  }

  RPC.Builder out() {
    if (out == null) {
      out = RPC.newBuilder();
    }
    return out;
  }
}
