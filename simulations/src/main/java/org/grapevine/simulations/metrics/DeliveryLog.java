package org.grapevine.simulations.metrics;

import java.util.Arrays;
import org.grapevine.simulations.network.FollowGraph;
import org.grapevine.simulations.network.Workload;

/**
 * What happened to every (post, recipient) pair, in primitive arrays: one slot per follower of each
 * post's author, slots of post {@code k} at {@code [base[k], base[k+1])} in follower order. First
 * delivery time, hop count of the first copy, copies received, and whether the first copy came by
 * sync. About 20 bytes a pair.
 */
public final class DeliveryLog {
  /** How the first copy arrived. */
  public static final byte NOT_DELIVERED = 0;

  public static final byte BY_GOSSIP = 1;
  public static final byte BY_SYNC = 2;

  private final FollowGraph follows;
  private final Workload workload;
  private final int[] base;
  private final long[] publishedNanos;
  private final long[] firstNanos;
  private final byte[] hops;
  private final char[] copies;
  private final byte[] via;
  private final long[] lowerBoundNanos;
  private final long[] topicBoundNanos;

  public DeliveryLog(FollowGraph follows, Workload workload) {
    this.follows = follows;
    this.workload = workload;
    int p = workload.posts();
    base = new int[p + 1];
    long total = 0;
    for (int k = 0; k < p; k++) {
      base[k] = (int) total;
      total += follows.followers(workload.author(k)).length;
      if (total > Integer.MAX_VALUE - 16) {
        throw new IllegalArgumentException(
            "more than 2^31 (post, recipient) pairs; use fewer posts or followers");
      }
    }
    base[p] = (int) total;
    publishedNanos = new long[p];
    Arrays.fill(publishedNanos, -1);
    firstNanos = new long[(int) total];
    Arrays.fill(firstNanos, -1);
    hops = new byte[(int) total];
    copies = new char[(int) total];
    via = new byte[(int) total];
    lowerBoundNanos = new long[(int) total];
    topicBoundNanos = new long[(int) total];
  }

  public int posts() {
    return workload.posts();
  }

  public int pairs() {
    return base[base.length - 1];
  }

  public int firstSlot(int post) {
    return base[post];
  }

  public int endSlot(int post) {
    return base[post + 1];
  }

  /** The recipient of a slot. */
  public int recipient(int post, int slot) {
    return follows.followers(workload.author(post))[slot - base[post]];
  }

  /** The slot of (post, node), or -1 when the node does not follow the post's author. */
  public int slot(int post, int node) {
    int i = follows.followerIndex(workload.author(post), node);
    return i < 0 ? -1 : base[post] + i;
  }

  public void published(int post, long nanos) {
    publishedNanos[post] = nanos;
  }

  public void copy(int post, int node) {
    int s = slot(post, node);
    if (s >= 0 && copies[s] < Character.MAX_VALUE) {
      copies[s]++;
    }
  }

  /** Records a delivery (storage) unless the pair was delivered before. */
  public void delivered(int post, int node, long nanos, int hopCount, boolean bySync) {
    int s = slot(post, node);
    if (s < 0 || firstNanos[s] >= 0) {
      return;
    }
    firstNanos[s] = nanos;
    hops[s] = (byte) Math.min(Byte.MAX_VALUE, Math.max(0, hopCount));
    via[s] = bySync ? BY_SYNC : BY_GOSSIP;
  }

  /** The hop count at which {@code node} holds {@code post}: 0 for its author, -1 when unknown. */
  public int hopsAt(int post, int node) {
    if (workload.author(post) == node) {
      return 0;
    }
    int s = slot(post, node);
    return s < 0 || firstNanos[s] < 0 ? -1 : hops[s];
  }

  public long publishedNanos(int post) {
    return publishedNanos[post];
  }

  public long firstNanos(int slot) {
    return firstNanos[slot];
  }

  public int hops(int slot) {
    return hops[slot];
  }

  public int copies(int slot) {
    return copies[slot];
  }

  public byte via(int slot) {
    return via[slot];
  }

  public long lowerBoundNanos(int slot) {
    return lowerBoundNanos[slot];
  }

  void setLowerBound(int slot, long nanos) {
    lowerBoundNanos[slot] = nanos;
  }

  /**
   * The topic lower bound of a pair ({@link Baselines}): the flood bound over the subscribers of
   * the author's topic alone; {@link Long#MAX_VALUE} when the recipient cannot be reached through
   * them.
   */
  public long topicBoundNanos(int slot) {
    return topicBoundNanos[slot];
  }

  void setTopicBound(int slot, long nanos) {
    topicBoundNanos[slot] = nanos;
  }

  public Workload workload() {
    return workload;
  }
}
