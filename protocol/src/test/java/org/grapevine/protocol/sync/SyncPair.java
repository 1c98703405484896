package org.grapevine.protocol.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.protocol.proto.SyncMessage;
import org.grapevine.protocol.testing.TestAuthors;

/**
 * Two sessions joined by an in-memory link (quinn's Pair): {@link #step} delivers every queued
 * message one hop, then lets each node ingest what its session received. Virtual time advances one
 * millisecond per step; nothing sleeps.
 */
final class SyncPair {
  static final long STEP_NANOS = 1_000_000L;

  final Side a;
  final Side b;
  long nowNanos;

  SyncPair(SyncTestNode nodeA, SyncSession sessionA, SyncTestNode nodeB, SyncSession sessionB) {
    this.a = new Side("A", nodeA, sessionA);
    this.b = new Side("B", nodeB, sessionB);
  }

  /** One side: its node, session, what it has in flight to the other, and what it saw. */
  static final class Side {
    final String name;
    final SyncTestNode node;
    final SyncSession session;
    final ArrayDeque<byte[]> inFlight = new ArrayDeque<>();
    final List<SyncEvent> events = new ArrayList<>();
    final List<SyncEvent.EntriesReceived> heldBatches = new ArrayList<>();

    /** Whether the node ingests and acknowledges at once; if not, batches wait in heldBatches. */
    boolean autoAck = true;

    /**
     * When set (and autoAck is off), a slow node: each step it releases a random 0..2 held batches.
     */
    java.util.random.RandomGenerator slowAcks;

    /** Entries batches this side's session has sent, and those the other node has released. */
    int batchesSent;

    int batchesReleasedByPeer;
    int maxBatchesInFlight;

    Side(String name, SyncTestNode node, SyncSession session) {
      this.name = name;
      this.node = node;
      this.session = session;
    }

    SyncEvent lastEvent() {
      return events.isEmpty() ? null : events.get(events.size() - 1);
    }
  }

  /** Delivers what each side had queued, then drains outputs. Returns whether anything moved. */
  boolean step() {
    nowNanos += STEP_NANOS;
    boolean fromA = collect(a); // both sides collect, whatever the first returned
    boolean moved = collect(b) || fromA;
    List<byte[]> toB = new ArrayList<>(a.inFlight);
    List<byte[]> toA = new ArrayList<>(b.inFlight);
    a.inFlight.clear();
    b.inFlight.clear();
    for (byte[] m : toB) {
      deliver(m, b, a);
    }
    for (byte[] m : toA) {
      deliver(m, a, b);
    }
    moved |= !toA.isEmpty() || !toB.isEmpty() || slowNodeBusy(a) || slowNodeBusy(b);
    drainEvents(a, b);
    drainEvents(b, a);
    boolean lateA = collect(a);
    boolean lateB = collect(b);
    return moved || lateA || lateB;
  }

  private static boolean slowNodeBusy(Side side) {
    return side.slowAcks != null && !side.heldBatches.isEmpty();
  }

  /** Steps until nothing moves (or a generous bound, which a test then sees as not converged). */
  SyncPair drive() {
    for (int i = 0; step(); i++) {
      assertThat(i).as("steps before the link goes quiet").isLessThan(100_000);
    }
    return this;
  }

  private boolean collect(Side side) {
    boolean any = false;
    for (byte[] m = side.session.pollOutbound().orElse(null);
        m != null;
        m = side.session.pollOutbound().orElse(null)) {
      side.inFlight.add(m);
      if (parse(m).hasEntries()) {
        side.batchesSent++;
        side.maxBatchesInFlight =
            Math.max(side.maxBatchesInFlight, side.batchesSent - side.batchesReleasedByPeer);
      }
      any = true;
    }
    return any;
  }

  private void deliver(byte[] message, Side to, Side from) {
    SyncMessage m = parse(message);
    to.session.handleMessage(message, nowNanos);
    if (m.hasEntries() && m.getEntries().getEnvelopesCount() == 0) {
      from.batchesReleasedByPeer++; // Empty batches need no ingestion.
    }
  }

  private void drainEvents(Side side, Side peer) {
    for (SyncEvent e = side.session.pollEvent().orElse(null);
        e != null;
        e = side.session.pollEvent().orElse(null)) {
      side.events.add(e);
      if (e instanceof SyncEvent.EntriesReceived batch) {
        side.heldBatches.add(batch);
      }
    }
    if (side.autoAck) {
      releaseHeld(side, peer, side.heldBatches.size());
    } else if (side.slowAcks != null) {
      releaseHeld(side, peer, side.slowAcks.nextInt(3));
    }
  }

  /** The node ingests and acknowledges its oldest {@code n} held batches. */
  void releaseHeld(Side side, Side peer, int n) {
    for (int i = 0; i < n && !side.heldBatches.isEmpty(); i++) {
      SyncEvent.EntriesReceived batch = side.heldBatches.remove(0);
      for (byte[] envelope : batch.envelopes()) {
        String problem = side.node.ingest(envelope, TestAuthors.T0_MILLIS + 1_000_000_000L);
        if (problem != null) {
          side.session.rejectEntries(problem, nowNanos);
          return;
        }
      }
      side.session.acknowledge(batch.envelopes().size(), nowNanos);
      peer.batchesReleasedByPeer++;
    }
  }

  static SyncMessage parse(byte[] message) {
    try {
      return SyncMessage.parseFrom(message);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("a session sent bytes that do not decode", e);
    }
  }

  void assertCompleted() {
    assertThat(a.lastEvent()).as("A's last event").isInstanceOf(SyncEvent.Completed.class);
    assertThat(b.lastEvent()).as("B's last event").isInstanceOf(SyncEvent.Completed.class);
  }
}
