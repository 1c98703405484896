package org.grapevine.simulations.virtual;

import java.util.List;
import org.grapevine.libp2p.gossipsub.Rpc;
import org.grapevine.node.core.CoreCommand;

/**
 * One scheduled event, typed: each kind carries exactly its own data and knows which handler of the
 * engine it goes to (no {@code Object} payloads cast back). Ordered by (time, seq): {@code seq} is
 * the order of scheduling, so ties break the same way in every run (quinn's Pair scaled to N
 * nodes). {@link EventQueue} keeps both beside the event, not in it: millions of events wait at
 * once.
 */
abstract sealed class SimEvent {
  /** The node the event happens at. */
  final int node;

  SimEvent(int node) {
    this.node = node;
  }

  abstract void fire(VirtualEngine engine);

  /**
   * An event that travels over a link; dropped if the link's connection changed meanwhile. It is
   * scheduled twice: first for its arrival at the far end of the link ({@link Wire#arrive}, which
   * puts it through the receiver's downlink), then for its delivery. Doing both stages with one
   * object (rather than wrapping it in an {@link Arrive}) saves an object per message in flight,
   * and fires in the same order: each stage takes its sequence number when scheduled, as before.
   */
  abstract static sealed class OnLink extends SimEvent {
    final int from;
    int link;
    int gen;

    /** The size on the wire, for the receiver's downlink. */
    int wireBytes;

    /** True while it is still travelling to the far end of its link. */
    boolean travelling;

    OnLink(int node, int from) {
      super(node);
      this.from = from;
    }

    @Override
    final void fire(VirtualEngine engine) {
      if (travelling) {
        travelling = false;
        engine.wire().arrive(this);
      } else {
        deliver(engine);
      }
    }

    /** The message is in the receiver's hands. */
    abstract void deliver(VirtualEngine engine);
  }

  /**
   * A message sent without a link ({@link Wire#sendDirect}) reached the far end; it still has to
   * come off the receiver's downlink.
   */
  static final class Arrive extends SimEvent {
    final SimEvent next;
    final int bytes;

    Arrive(SimEvent next, int bytes) {
      super(next.node);
      this.next = next;
      this.bytes = bytes;
    }

    @Override
    void fire(VirtualEngine engine) {
      engine.wire().arrive(this);
    }
  }

  /** A gossip RPC is in the receiver's hands. */
  static final class GossipRpcIn extends OnLink {
    final Rpc rpc;
    final int bytes;

    GossipRpcIn(int node, int from, Rpc rpc, int bytes) {
      super(node, from);
      this.rpc = rpc;
      this.bytes = bytes;
    }

    @Override
    void deliver(VirtualEngine engine) {
      engine.drivers().onGossipRpc(this);
    }
  }

  /**
   * Test hook ({@link VirtualEngine#injectGossip}): node {@code from} sends {@code node} this RPC
   * now.
   */
  static final class InjectedRpc extends SimEvent {
    final int from;
    final Rpc rpc;

    InjectedRpc(int node, int from, Rpc rpc) {
      super(node);
      this.from = from;
      this.rpc = rpc;
    }

    @Override
    void fire(VirtualEngine engine) {
      engine.drivers().onInjectedRpc(this);
    }
  }

  /**
   * A sync message is in the receiver's hands ({@code message} null: the sender closed the stream).
   */
  static final class SyncIn extends OnLink {
    final SimStream stream;
    final byte[] message;
    final int bytes;

    SyncIn(int node, int from, SimStream stream, byte[] message, int bytes) {
      super(node, from);
      this.stream = stream;
      this.message = message;
      this.bytes = bytes;
    }

    @Override
    void deliver(VirtualEngine engine) {
      engine.drivers().onSyncIn(this);
    }
  }

  /**
   * A DHT request reached node {@code node} from {@code from}'s process {@code fromIncarnation}
   * (request {@code request.id()} of that process's DHT).
   */
  static final class DhtRequestIn extends SimEvent {
    final int from;
    final int fromIncarnation;
    final org.grapevine.libp2p.kad.DhtRequest request;
    final int bytes;

    DhtRequestIn(
        int node,
        int from,
        int fromIncarnation,
        org.grapevine.libp2p.kad.DhtRequest request,
        int bytes) {
      super(node);
      this.from = from;
      this.fromIncarnation = fromIncarnation;
      this.request = request;
      this.bytes = bytes;
    }

    @Override
    void fire(VirtualEngine engine) {
      engine.drivers().dht().onRequest(this);
    }
  }

  /**
   * The outcome of DHT request {@code requestId} is back at the process that sent it: the answer
   * ({@code response}, null for ADD_PROVIDER once written), or a failure ({@code failure} set).
   */
  static final class DhtOutcome extends ForProcess {
    final long requestId;
    final org.grapevine.libp2p.kad.KadMessage response;
    final String failure;
    final int bytes;

    DhtOutcome(
        int node,
        int incarnation,
        long requestId,
        org.grapevine.libp2p.kad.KadMessage response,
        String failure,
        int bytes) {
      super(node, incarnation);
      this.requestId = requestId;
      this.response = response;
      this.failure = failure;
      this.bytes = bytes;
    }

    @Override
    void fire(VirtualEngine engine) {
      engine.drivers().dht().onOutcome(this);
    }
  }

  /** An event meant for one process of a node: dropped once the node restarted or left. */
  abstract static sealed class ForProcess extends SimEvent {
    final int incarnation;

    ForProcess(int node, int incarnation) {
      super(node);
      this.incarnation = incarnation;
    }
  }

  /**
   * A node core's deadline (its router's heartbeat, sync idle timeouts, the periodic sync round).
   */
  static final class CoreTimer extends ForProcess {
    final long deadline;

    CoreTimer(int node, int incarnation, long deadline) {
      super(node, incarnation);
      this.deadline = deadline;
    }

    @Override
    void fire(VirtualEngine engine) {
      engine.drivers().onCoreTimer(this);
    }
  }

  /** A received gossip message finished validation (the node class's delay). */
  static final class Validated extends ForProcess {
    final CoreCommand.VerifyGossip verify;

    Validated(int node, int incarnation, CoreCommand.VerifyGossip verify) {
      super(node, incarnation);
      this.verify = verify;
    }

    @Override
    void fire(VirtualEngine engine) {
      engine.drivers().onValidated(this);
    }
  }

  /** A batch of sync entries finished validation. */
  static final class SyncVerified extends ForProcess {
    final long sync;
    final int batch;
    final List<byte[]> envelopes;

    SyncVerified(int node, int incarnation, long sync, int batch, List<byte[]> envelopes) {
      super(node, incarnation);
      this.sync = sync;
      this.batch = batch;
      this.envelopes = envelopes;
    }

    @Override
    void fire(VirtualEngine engine) {
      engine.drivers().onSyncVerified(this);
    }
  }

  /** The workload's post {@code post} is written by its author. */
  static final class Publish extends SimEvent {
    final int post;

    Publish(int node, int post) {
      super(node);
      this.post = post;
    }

    @Override
    void fire(VirtualEngine engine) {
      engine.drivers().onPublish(this);
    }
  }

  /** Churn and partitions: a node leaves or returns, a split starts or heals. */
  static final class Fault extends SimEvent {
    enum Kind {
      /** A node's first start (nodes.startSpread). */
      START,
      LEAVE,
      RETURN,
      SPLIT,
      HEAL
    }

    final Kind kind;

    /** The split's index, for SPLIT and HEAL. */
    final int split;

    Fault(Kind kind, int node, int split) {
      super(node);
      this.kind = kind;
      this.split = split;
    }

    @Override
    void fire(VirtualEngine engine) {
      engine.onFault(this);
    }
  }
}
