package org.grapevine.libp2p.gossipsub;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.grapevine.libp2p.proto.RPC;

/** What the router knows about one connected pubsub peer, and the RPC being batched for it. */
final class PeerState {
  final Direction direction;
  final GossipProtocol protocol;

  /** Its subscriptions, in the order it made them; shared with other peers' ({@link TopicSets}). */
  TopicList topics = TopicList.EMPTY;

  /** Its score counters, held here so that scoring a connected peer needs no second map probe. */
  final PeerScore.PeerStats stats;

  /**
   * IDONTWANT ids from this peer, with the heartbeat tick they arrived in; null until the first
   * (most peers of a large simulation never send one, and an empty HashMap still costs 48 bytes).
   */
  Map<MessageId, Long> dontWant;

  /** IHAVEs and the ids asked for in heartbeat {@link #countsTick}; see {@link #countsFor}. */
  int ihavesThisHeartbeat;

  int idsAskedThisHeartbeat;
  long countsTick;

  /** Messages in OutboundRpcs handed to pollOutbound's queue but not yet polled. */
  int queuedMessages;

  /** The RPC being assembled during the current input; null when nothing is pending. */
  RPC.Builder out;

  int outMessages;

  /** Ids to ask for and to refuse in the pending RPC; null when none (dropped at each flush). */
  List<ByteString> outIWant;

  List<ByteString> outIDontWant;

  PeerState(Direction direction, GossipProtocol protocol, PeerScore.PeerStats stats) {
    this.direction = direction;
    this.protocol = protocol;
    this.stats = stats;
  }

  boolean doesNotWant(MessageId id) {
    return dontWant != null && dontWant.containsKey(id);
  }

  /**
   * Starts the IHAVE counts afresh when heartbeat {@code tick} is a new one: reset when used, not
   * for every peer at every heartbeat (most peers send no IHAVE in most heartbeats).
   */
  void countsFor(long tick) {
    if (countsTick != tick) {
      countsTick = tick;
      ihavesThisHeartbeat = 0;
      idsAskedThisHeartbeat = 0;
    }
  }

  List<ByteString> outIWant() {
    if (outIWant == null) {
      outIWant = new ArrayList<>();
    }
    return outIWant;
  }

  List<ByteString> outIDontWant() {
    if (outIDontWant == null) {
      outIDontWant = new ArrayList<>();
    }
    return outIDontWant;
  }

  RPC.Builder out() {
    if (out == null) {
      out = RPC.newBuilder();
    }
    return out;
  }
}
