package org.grapevine.simulations.metrics;

import java.util.Arrays;
import org.grapevine.node.core.OutboxCounts;
import org.grapevine.simulations.network.Workload;

/**
 * What happened to every reply and flood entry at the node it addresses (issue 15): the author of
 * the post it replies to. One slot per post, used only by posts that are not {@link
 * Workload#PLAIN}: when the addressee's node first stored it and how (its addressee topic, its
 * writer's topic, sync), whether it was still held loose at the end, and the flood lower bound from
 * its writer to the addressee. Besides, how many (node, flood entry) pairs were stored anywhere by
 * the addressed rule: every subscriber of the addressee's topic applies the same limits.
 */
public final class AddressedLog {
  public static final byte NOT_STORED = 0;
  public static final byte BY_ADDRESSED = 1;
  public static final byte BY_GOSSIP = 2;
  public static final byte BY_SYNC = 3;

  private final Workload workload;
  private final long[] storedNanos;
  private final byte[] via;
  private final boolean[] loose;
  private final long[] lowerBoundNanos;
  private long floodStoredByAddressedAnywhere;
  private long outboxHeld;
  private long outboxSentLate;
  private long outboxExpired;
  private long outboxDroppedFull;
  private long outboxWaitingAtEnd;

  public AddressedLog(Workload workload) {
    this.workload = workload;
    int p = workload.posts();
    storedNanos = new long[p];
    Arrays.fill(storedNanos, -1);
    via = new byte[p];
    loose = new boolean[p];
    lowerBoundNanos = new long[p];
  }

  public Workload workload() {
    return workload;
  }

  /** The node a post addresses, or -1 for a plain post. */
  public int addressee(int post) {
    int parent = workload.parent(post);
    return parent < 0 ? -1 : workload.author(parent);
  }

  /**
   * {@code node} stored {@code post} at {@code nanos}, by {@code how} ({@link #BY_ADDRESSED}, ...):
   * recorded if the node is the post's addressee and had not stored it before.
   */
  public void stored(int post, int node, long nanos, byte how) {
    if (workload.kind(post) == Workload.PLAIN) {
      return;
    }
    if (how == BY_ADDRESSED && workload.kind(post) == Workload.FLOOD) {
      floodStoredByAddressedAnywhere++;
    }
    if (node == addressee(post) && storedNanos[post] < 0) {
      storedNanos[post] = nanos;
      via[post] = how;
    }
  }

  /** At the end of the run, the addressee held {@code post} loose (outside its writer's chain). */
  public void heldLoose(int post) {
    loose[post] = true;
  }

  public long storedNanos(int post) {
    return storedNanos[post];
  }

  public byte via(int post) {
    return via[post];
  }

  public boolean loose(int post) {
    return loose[post];
  }

  public long lowerBoundNanos(int post) {
    return lowerBoundNanos[post];
  }

  void setLowerBound(int post, long nanos) {
    lowerBoundNanos[post] = nanos;
  }

  /** Adds one node's outbox counts (at its end): what waited for a peer of an addressee topic. */
  public void addOutbox(OutboxCounts c) {
    outboxHeld += c.held();
    outboxSentLate += c.sentLate();
    outboxExpired += c.expired();
    outboxDroppedFull += c.droppedFull();
    outboxWaitingAtEnd += c.waiting();
  }

  /** Summed outbox counts of all nodes: held, sent late, expired, dropped full, waiting at end. */
  public long[] outbox() {
    return new long[] {
      outboxHeld, outboxSentLate, outboxExpired, outboxDroppedFull, outboxWaitingAtEnd
    };
  }

  /** (Node, flood entry) pairs stored from an addressee topic, on any node. */
  public long floodStoredByAddressedAnywhere() {
    return floodStoredByAddressedAnywhere;
  }
}
