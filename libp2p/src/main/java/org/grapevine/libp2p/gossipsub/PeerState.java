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

  /**
   * What is being assembled for the peer during the current input; null when nothing is (the
   * router's flush takes it). Apart from the peer's state because it exists for a moment: as fields
   * here it cost every connection end of a large simulation 16 bytes for good.
   */
  Batch batch;

  /** One RPC being assembled, the messages in it, and the ids to ask for and to refuse. */
  static final class Batch {
    final RPC.Builder rpc = RPC.newBuilder();
    int messages;
    List<ByteString> iwant;
    List<ByteString> idontwant;
  }

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

  Batch batch() {
    if (batch == null) {
      batch = new Batch();
    }
    return batch;
  }

  /** Messages in the RPC being assembled. */
  int outMessages() {
    return batch == null ? 0 : batch.messages;
  }

  List<ByteString> outIWant() {
    Batch b = batch();
    if (b.iwant == null) {
      b.iwant = new ArrayList<>();
    }
    return b.iwant;
  }

  List<ByteString> outIDontWant() {
    Batch b = batch();
    if (b.idontwant == null) {
      b.idontwant = new ArrayList<>();
    }
    return b.idontwant;
  }

  RPC.Builder out() {
    return batch().rpc;
  }
}
