package org.grapevine.simulations.virtual;

import com.google.protobuf.CodedOutputStream;
import java.util.Arrays;
import org.grapevine.libp2p.gossipsub.Rpc;
import org.grapevine.libp2p.proto.Message;
import org.grapevine.libp2p.proto.RPC;
import org.grapevine.simulations.metrics.NodeCounters;
import org.grapevine.simulations.network.FaultPlan;
import org.grapevine.simulations.network.Workload;
import org.grapevine.simulations.scenario.Scenario;

/**
 * What the nodes send onto the {@link Wire}: gossip RPCs (counted as payload and control, changed
 * by bad forwarders, lost at the loss rate) and sync messages (counted, delayed by bad forwarders,
 * never lost: they run over TCP).
 */
final class Outbox {
  private static final int RPC_PUBLISH_FIELD = 2;

  /** Sync messages up to this size may share the bytes of the sender's previous equal one. */
  private static final int SHARE_MAX_BYTES = 4096;

  private final Wire wire;
  private final NodeCounters counters;
  private final FaultPlan faults;
  private final Scenario scenario;
  private final PostCatalog catalog;
  private final Workload workload;

  /**
   * Per node, the last sync message it sent (up to {@link #SHARE_MAX_BYTES}). A node's sessions
   * open with the same Heads to every peer while its store is unchanged, and at t = 0 every
   * connection opens one on both ends: 100,000 nodes put two million equal copies in flight at
   * once, most of the heap. An equal message travels as the one array instead; nobody writes to a
   * sent message, and the bytes counted are the same.
   */
  private final byte[][] lastSync;

  Outbox(
      Wire wire,
      NodeCounters counters,
      FaultPlan faults,
      Scenario scenario,
      PostCatalog catalog,
      Workload workload) {
    this.wire = wire;
    this.counters = counters;
    this.faults = faults;
    this.scenario = scenario;
    this.catalog = catalog;
    this.workload = workload;
    this.lastSync = new byte[scenario.nodes().count()][];
  }

  /** A sync message (null: the stream's end) from {@code from} to the other end of {@code s}. */
  void sync(int from, SimStream s, byte[] message) {
    int framed =
        message == null
            ? 0
            : message.length + CodedOutputStream.computeUInt32SizeNoTag(message.length);
    counters.syncSent[from] += framed;
    long extra = faults.isBadForwarder(from) ? scenario.faults().badForwarders().delayNanos() : 0;
    int to = s.other(from);
    wire.send(
        new SimEvent.SyncIn(to, from, s, shared(from, message), framed), framed, extra, false);
  }

  /** {@code message}, or the equal one {@code from} sent last (see {@link #lastSync}). */
  private byte[] shared(int from, byte[] message) {
    if (message == null || message.length > SHARE_MAX_BYTES) {
      return message;
    }
    byte[] last = lastSync[from];
    if (last != null && Arrays.equals(last, message)) {
      return last;
    }
    lastSync[from] = message;
    return message;
  }

  /** A gossip RPC from {@code from} to {@code to}, as a bad forwarder changes it, maybe lost. */
  void gossip(int from, int to, Rpc rpc) {
    RPC proto = rpc.proto();
    long extra = 0;
    if (faults.isBadForwarder(from) && proto.getPublishCount() > 0 && forwardsOthers(from, proto)) {
      if (scenario.faults().badForwarders().mode() == Scenario.BadMode.DROP) {
        proto = ownOnly(from, proto);
        rpc = Rpc.of(proto);
        if (rpc.isEmpty()) {
          return;
        }
      } else {
        extra = scenario.faults().badForwarders().delayNanos();
      }
    }
    int total = proto.getSerializedSize();
    int payload = 0;
    for (Message m : proto.getPublishList()) {
      payload += CodedOutputStream.computeMessageSize(RPC_PUBLISH_FIELD, m);
    }
    int framed = total + CodedOutputStream.computeUInt32SizeNoTag(total);
    counters.payloadSent[from] += payload;
    counters.controlSent[from] += framed - payload;
    counters.rpcsSent[from]++;
    boolean lost = wire.loss();
    if (lost) {
      counters.rpcsLost[from]++;
    }
    wire.send(new SimEvent.GossipRpcIn(to, from, rpc, framed), framed, extra, lost);
  }

  /** A dropping forwarder's RPC: only the messages it authored itself. */
  private RPC ownOnly(int node, RPC proto) {
    RPC.Builder b = proto.toBuilder().clearPublish();
    for (Message m : proto.getPublishList()) {
      int k = catalog.postOfData(m.getData());
      if (k >= 0 && workload.author(k) == node) {
        b.addPublish(m);
      }
    }
    return b.build();
  }

  private boolean forwardsOthers(int node, RPC proto) {
    for (Message m : proto.getPublishList()) {
      int k = catalog.postOfData(m.getData());
      if (k < 0 || workload.author(k) != node) {
        return true;
      }
    }
    return false;
  }
}
