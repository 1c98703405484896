package org.grapevine.node.core;

import java.time.Duration;
import java.util.function.LongUnaryOperator;
import org.grapevine.protocol.sync.SyncLimits;

/**
 * What a {@link NodeCore} needs to know besides its store and engine.
 *
 * @param syncIntervalNanos how often the node syncs with connected peers to pick up what gossip
 *     missed (the first round comes at a random point within the first interval, so that nodes
 *     started together do not sync in lock step)
 * @param syncPeersPerRound at most this many peers per periodic round, taken round-robin over the
 *     connected peers ({@link Integer#MAX_VALUE}: all of them, the node's default; 0: no periodic
 *     sync, only on connections, gaps and follows)
 * @param syncLimits the sync protocol's limits for every session
 * @param wallMillis the wall-clock time (milliseconds since the epoch) at a core time (the
 *     monotonic nanoseconds every input carries): the chain rules check entry timestamps against
 *     it. The node passes its wall clock, the simulator its virtual epoch plus the virtual time.
 */
public record CoreConfig(
    long syncIntervalNanos,
    int syncPeersPerRound,
    SyncLimits syncLimits,
    LongUnaryOperator wallMillis) {
  /** Every peer a fault closes the connection to after this many sessions failed by its fault. */
  public static final int MAX_PEER_FAULTS = 3;

  public CoreConfig {
    if (syncIntervalNanos <= 0) {
      throw new IllegalArgumentException("sync interval must be positive: " + syncIntervalNanos);
    }
    if (syncPeersPerRound < 0) {
      throw new IllegalArgumentException(
          "sync peers per round must not be negative: " + syncPeersPerRound);
    }
  }

  /** The node's defaults with this interval and wall clock: every connected peer each round. */
  public static CoreConfig of(Duration syncInterval, LongUnaryOperator wallMillis) {
    return new CoreConfig(
        syncInterval.toNanos(), Integer.MAX_VALUE, SyncLimits.DEFAULT, wallMillis);
  }
}
