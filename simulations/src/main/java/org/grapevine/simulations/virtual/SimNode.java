package org.grapevine.simulations.virtual;

import org.grapevine.node.core.NodeCore;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.storage.DeviceSnapshots;
import org.grapevine.node.storage.MemoryPostStore;

/**
 * One simulated participant: its store (kept across restarts, as a disk would be), and while online
 * its process: the ingestion Engine and the node core with its GossipRouter (all lost when it
 * leaves, as a process's memory is). Timers and queues are virtual times.
 */
final class SimNode {
  final int index;
  final MemoryPostStore store;

  /** The nodes of the identities it keeps (its own and the followed ones), sorted: its topics. */
  final int[] topicNodes;

  boolean online = true;
  Engine engine;
  NodeCore core;

  /** The process's open sync streams, by its core's stream id. */
  final StreamTable streams = new StreamTable();

  /** Changes at every restart, so events meant for the old process are dropped. */
  int incarnation;

  long coreTimerAt = Long.MIN_VALUE;
  long validatorFreeAt;
  long offlineSince;

  /** When its first process starts (nodes.startSpread); before that it is neither up nor down. */
  long startAtNanos;

  /**
   * @param snapshots device snapshots shared by every node's store (nodes keeping an identity hold
   *     equal ones)
   */
  SimNode(int index, int[] topicNodes, DeviceSnapshots snapshots) {
    this.index = index;
    this.store = new MemoryPostStore(0, snapshots);
    this.topicNodes = topicNodes;
  }
}
